import { OrderEvent, RecordedEvent } from './order-events';
import { Order } from './order.entity';

const placed: OrderEvent = {
  type: 'OrderPlaced',
  data: {
    customerId: 'c1',
    email: 'c1@example.com',
    lines: [{ productId: '00000000-0000-4000-8000-000000000001', quantity: 2, unitPrice: { amount: 500, currency: 'EUR' }, name: 'Mug' }],
    total: { amount: 1000, currency: 'EUR' },
    shippingAddress: { name: 'A', line1: 'Main 1', city: 'Berlin', postalCode: '10115', country: 'DE' },
    paymentToken: 'tok_visa',
  },
};

const at = (i: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString();
function replay(...events: OrderEvent[]): Order {
  return Order.fromHistory(
    'o1',
    events.map((e, i) => ({ ...e, version: i + 1, recordedAt: at(i) }) as RecordedEvent),
  );
}
const started = (step: string): OrderEvent => ({ type: 'StepStarted', data: { step } }) as OrderEvent;
/** An order up to a booked shipment: past its pivot. */
const throughShipment: OrderEvent[] = [
  placed,
  started('reserve-stock'),
  { type: 'StockReserved', data: {} },
  started('charge-payment'),
  { type: 'PaymentCaptured', data: {} },
  started('create-shipment'),
  { type: 'ShipmentCreated', data: { trackingNumber: 'T' } },
];

describe('Order', () => {
  it('walks the happy path: reserve, charge, ship, commit, confirm', () => {
    const steps: string[] = [];
    const events: OrderEvent[] = [placed];
    const outcome: Record<string, OrderEvent> = {
      'reserve-stock': { type: 'StockReserved', data: {} },
      'charge-payment': { type: 'PaymentCaptured', data: {} },
      'create-shipment': { type: 'ShipmentCreated', data: { trackingNumber: 'T1' } },
      'commit-stock': { type: 'StockCommitted', data: {} },
    };
    for (let i = 0; i < 10; i++) {
      const next = replay(...events).nextAction();
      steps.push(next);
      if (next === 'finalize' || next === 'none') break;
      events.push(started(next), outcome[next]);
    }
    expect(steps).toEqual(['reserve-stock', 'charge-payment', 'create-shipment', 'commit-stock', 'finalize']);
    expect(replay(...events).finalEvent().type).toBe('OrderConfirmed');
    expect(replay(...events, { type: 'OrderConfirmed', data: {} }).status).toBe('CONFIRMED');
  });

  it('rejects without compensation when stock is short', () => {
    const order = replay(placed, started('reserve-stock'), { type: 'StockReservationFailed', data: { reason: 'out of stock' } });
    expect(order.status).toBe('COMPENSATING');
    expect(order.nextAction()).toBe('finalize');
    expect(order.finalEvent()).toEqual({ type: 'OrderRejected', data: { reason: 'out of stock' } });
  });

  it('releases stock after a declined payment', () => {
    const order = replay(placed, started('reserve-stock'), { type: 'StockReserved', data: {} }, started('charge-payment'), {
      type: 'PaymentFailed',
      data: { reason: 'card declined' },
    });
    expect(order.nextAction()).toBe('release-stock');
  });

  it('refunds, then releases, after the carrier refuses', () => {
    const base = [
      placed,
      started('reserve-stock'),
      { type: 'StockReserved', data: {} },
      started('charge-payment'),
      { type: 'PaymentCaptured', data: {} },
      started('create-shipment'),
      { type: 'ShipmentFailed', data: { reason: 'no' } },
    ] as OrderEvent[];
    expect(replay(...base).nextAction()).toBe('refund-payment');
    expect(replay(...base, started('refund-payment'), { type: 'PaymentRefunded', data: {} }).nextAction()).toBe('release-stock');
    expect(replay(...base, { type: 'PaymentRefunded', data: {} }, { type: 'StockReleased', data: {} }).nextAction()).toBe('finalize');
  });

  it('compensates a step that timed out as if it might have happened', () => {
    const order = replay(placed, started('reserve-stock'), { type: 'StockReserved', data: {} }, started('charge-payment'), {
      type: 'StepTimedOut',
      data: { step: 'charge-payment' },
    });
    expect(order.reason).toBe('charge-payment timed out');
    expect(order.nextAction()).toBe('refund-payment');
  });

  it('detects an overdue step from when it started', () => {
    const order = replay(placed, started('reserve-stock'));
    expect(order.overdue(new Date(Date.parse(at(1)) + 5000), 10_000)).toBe(false);
    expect(order.overdue(new Date(Date.parse(at(1)) + 15_000), 10_000)).toBe(true);
  });

  it('gives the commit after the pivot no deadline: it is retried, never compensated', () => {
    const booked = replay(...throughShipment, started('commit-stock'));
    expect(booked.overdue(new Date(Date.parse(at(7)) + 3_600_000), 10_000)).toBe(false);
    expect(booked.nextAction()).toBe('commit-stock');
  });

  it('cancels before shipping, compensating what was done, and ends CANCELLED', () => {
    const order = replay(placed, started('reserve-stock'), { type: 'StockReserved', data: {} }, started('charge-payment'));
    expect(order.requestCancellation()).toEqual([{ type: 'CancellationRequested', data: {} }]);
    const cancelling = replay(placed, started('reserve-stock'), { type: 'StockReserved', data: {} }, started('charge-payment'), {
      type: 'CancellationRequested',
      data: {},
    });
    expect(cancelling.nextAction()).toBe('refund-payment'); // the charge may be in flight
    expect(cancelling.finalEvent()).toEqual({ type: 'OrderCancelled', data: {} });
    expect(cancelling.requestCancellation()).toEqual([]);
  });

  it('refuses to cancel once the shipment is booked, even before the stock commit is recorded', () => {
    const booked = replay(...throughShipment);
    expect(() => booked.requestCancellation()).toThrow(expect.objectContaining({ code: 'ORDERING.NOT_CANCELLABLE' }));
  });

  it('refuses to cancel a confirmed order', () => {
    const order = replay(placed, { type: 'OrderConfirmed', data: {} });
    expect(() => order.requestCancellation()).toThrow(expect.objectContaining({ code: 'ORDERING.NOT_CANCELLABLE' }));
  });

  it('ends in COMPENSATION_FAILED, with the reason, when a compensation keeps failing', () => {
    const order = replay(
      placed,
      started('reserve-stock'),
      { type: 'StockReservationFailed', data: { reason: 'x' } },
      { type: 'CompensationFailed', data: { compensation: 'release-stock', reason: 'catalog down' } },
    );
    expect(order.status).toBe('COMPENSATION_FAILED');
    expect(order.reason).toContain('catalog down');
    expect(order.nextAction()).toBe('none');
  });

  it('gives a clone of its own to stage events on: the original stays as recorded, whatever the clone goes through', () => {
    const record = (order: Order, event: OrderEvent) =>
      order.apply({ ...event, version: order.version + 1, recordedAt: at(order.version + 1) } as RecordedEvent);
    const failed = {
      type: 'StepFailed',
      data: { step: 'charge-payment', kind: 'timeout', code: 'MESSAGING.TIMEOUT', reason: 'r', retryAt: at(9) },
    } as OrderEvent;
    const original = replay(placed, started('reserve-stock'), { type: 'StockReserved', data: {} }, started('charge-payment'), failed);
    const recorded = structuredClone({ ...original });

    const clone = original.clone();
    expect(clone).toBeInstanceOf(Order);
    expect({ ...clone }).toEqual(recorded);
    for (const event of [
      failed,
      { type: 'PaymentCaptured', data: {} },
      started('create-shipment'),
      { type: 'ShipmentCreated', data: { trackingNumber: 'T' } },
    ] as OrderEvent[]) {
      record(clone, event);
    }
    expect(clone.failures['charge-payment']).toEqual({ calls: 2, errorAnswers: 0 });
    expect(clone.parts['charge-payment']).toBe('done');

    expect({ ...original }).toEqual(recorded);
    expect(original.failures['charge-payment']).toEqual({ calls: 1, errorAnswers: 0 });
    expect(original.parts['charge-payment']).toBe('pending');
  });

  describe('its timer and failures', () => {
    const settings = { ORDER_STEP_TIMEOUT_MS: 10_000, ORDER_COMPENSATION_ATTEMPTS: 2, ORDER_RETRY_BACKOFF_MS: 100, ORDER_STALL_MS: 3000 };
    const charging = () => replay(placed, started('reserve-stock'), { type: 'StockReserved', data: {} }, started('charge-payment')); // charge started at at(3)
    const failure = (kind: string, code = 'X.Y') => ({ step: 'charge-payment' as const, kind: kind as 'timeout', code, reason: 'r' });

    it('is due for resumption ORDER_STALL_MS from now, or at the step deadline if that comes first, and has none once final', () => {
      const order = charging();
      const now = new Date(Date.parse(at(3)) + 1000);
      expect(order.wakeAt(now, settings)).toEqual({ at: new Date(now.getTime() + 3000), reason: 'resume' });
      const late = new Date(Date.parse(at(3)) + 8000);
      expect(order.wakeAt(late, settings)).toEqual({ at: new Date(Date.parse(at(3)) + 10_000), reason: 'deadline' });
      expect(replay(placed, { type: 'OrderConfirmed', data: {} }).wakeAt(now, settings)).toBeUndefined();
    });

    it('retries a timeout after a backoff that doubles, never past the deadline, then times the step out', () => {
      const order = charging();
      const now = new Date(Date.parse(at(3)) + 1000);
      const [first] = order.afterFailure(failure('timeout'), now, settings);
      expect(first).toMatchObject({ type: 'StepFailed', data: { retryAt: new Date(now.getTime() + 100).toISOString() } });
      order.apply({ ...first, version: order.version + 1, recordedAt: now.toISOString() } as RecordedEvent);
      expect(order.waiting(now)).toBe(true);
      expect(order.wakeAt(now, settings)).toEqual({ at: new Date(now.getTime() + 100), reason: 'retry' });
      expect(order.afterFailure(failure('unavailable'), now, settings)[0]).toMatchObject({ data: { retryAt: new Date(now.getTime() + 200).toISOString() } });
      const nearDeadline = new Date(Date.parse(at(3)) + 9950);
      expect(order.afterFailure(failure('timeout'), nearDeadline, settings)[0]).toMatchObject({
        data: { retryAt: new Date(Date.parse(at(3)) + 10_000).toISOString() },
      });
      expect(order.afterFailure(failure('timeout'), new Date(Date.parse(at(3)) + 10_001), settings)).toEqual([
        { type: 'StepTimedOut', data: { step: 'charge-payment' } },
      ]);
    });

    it('parks on a permanent answer at once and on error answers once they are used up', () => {
      const order = charging();
      const now = new Date(Date.parse(at(3)) + 1000);
      expect(order.afterFailure(failure('not-found'), now, settings)).toEqual([{ type: 'StepParked', data: failure('not-found') }]);
      const [first] = order.afterFailure(failure('internal'), now, settings);
      expect(first.type).toBe('StepFailed');
      order.apply({ ...first, version: order.version + 1, recordedAt: now.toISOString() } as RecordedEvent);
      expect(order.afterFailure(failure('internal'), now, settings)).toEqual([{ type: 'StepParked', data: failure('internal') }]);
      order.apply({ type: 'StepParked', data: failure('internal'), version: order.version + 1, recordedAt: now.toISOString() } as RecordedEvent);
      expect(order).toMatchObject({ status: 'PARKED', reason: 'charge-payment parked: r' });
      expect(order.nextAction()).toBe('none');
      expect(() => order.requestCancellation()).toThrow(expect.objectContaining({ code: 'ORDERING.NOT_CANCELLABLE' }));
    });

    it('records nothing for a failure of a step that is no longer in progress, or that a cancellation overtook', () => {
      const order = replay(placed, started('reserve-stock'), { type: 'StockReserved', data: {} });
      expect(order.afterFailure(failure('timeout'), new Date(), settings)).toEqual([]);
      const cancelled = charging();
      cancelled.apply({ type: 'CancellationRequested', data: {}, version: cancelled.version + 1, recordedAt: at(5) } as RecordedEvent);
      expect(cancelled.afterFailure(failure('timeout'), new Date(Date.parse(at(5))), settings)).toEqual([]);
    });

    it('stops waiting for a retry once a cancellation makes a compensation the next action', () => {
      const order = charging();
      const now = new Date(Date.parse(at(3)) + 1000);
      const [failed] = order.afterFailure(failure('timeout'), now, settings);
      order.apply({ ...failed, version: order.version + 1, recordedAt: now.toISOString() } as RecordedEvent);
      expect(order.waiting(now)).toBe(true);
      order.apply({ type: 'CancellationRequested', data: {}, version: order.version + 1, recordedAt: now.toISOString() } as RecordedEvent);
      expect(order.nextAction()).toBe('refund-payment');
      expect(order.waiting(now)).toBe(false);
      expect(order.wakeAt(now, settings)?.reason).not.toBe('retry');
    });
  });
});
