import type { Address, MoneyDto, OrderStatus } from '@commerce/contracts';
import { Compensation, NextAction, OrderEvent, OrderLine, RecordedEvent, Step } from './order-events';
import { OrderNotCancellableError } from './ordering.errors';

/** How far one part of the flow got: a compensation is owed for `pending` and `done`. */
export type PartState = 'none' | 'pending' | 'done' | 'failed' | 'compensated';

const COMPENSATION_OF: Record<Compensation, 'shipment' | 'payment' | 'stock'> = {
  'cancel-shipment': 'shipment',
  'refund-payment': 'payment',
  'release-stock': 'stock',
};
/** Statuses an order never leaves. */
export const TERMINAL_STATUSES: readonly OrderStatus[] = ['CONFIRMED', 'REJECTED', 'CANCELLED', 'COMPENSATION_FAILED'];

/**
 * An event-sourced order: its state is the fold of its events, and the next action of the order
 * flow is derived from that state, so a process that crashed anywhere resumes by asking again.
 */
export class Order {
  status: OrderStatus = 'PLACED';
  version = 0;
  customerId = '';
  email = '';
  lines: OrderLine[] = [];
  total: MoneyDto = { amount: 0, currency: 'EUR' };
  shippingAddress!: Address;
  paymentToken = '';
  reason?: string;
  cause?: 'rejected' | 'cancelled';
  stock: PartState = 'none';
  payment: PartState = 'none';
  shipment: PartState = 'none';
  committed = false;
  /** How many times each compensation was attempted (its StepStarted events). */
  readonly attempts: Partial<Record<Compensation, number>> = {};
  /** The step in progress and when it started (its deadline runs from then). */
  current?: { step: Step | Compensation; since: string };
  createdAt = '';
  updatedAt = '';

  constructor(readonly id: string) {}

  static fromHistory(id: string, events: RecordedEvent[]): Order {
    const order = new Order(id);
    for (const event of events) order.apply(event);
    return order;
  }

  get terminal(): boolean {
    return TERMINAL_STATUSES.includes(this.status);
  }

  apply(event: RecordedEvent): void {
    this.version = event.version;
    this.updatedAt = event.recordedAt;
    switch (event.type) {
      case 'OrderPlaced':
        Object.assign(this, { ...event.data, createdAt: event.recordedAt });
        break;
      case 'StepStarted':
        this.current = { step: event.data.step, since: event.recordedAt };
        if (event.data.step in COMPENSATION_OF) {
          const compensation = event.data.step as Compensation;
          this.attempts[compensation] = (this.attempts[compensation] ?? 0) + 1;
        }
        if (event.data.step === 'reserve-stock') this.stock = 'pending';
        if (event.data.step === 'charge-payment') this.payment = 'pending';
        if (event.data.step === 'create-shipment') this.shipment = 'pending';
        break;
      case 'StockReserved':
        this.finish(() => ((this.stock = 'done'), (this.status = 'STOCK_RESERVED')));
        break;
      case 'PaymentCaptured':
        this.finish(() => ((this.payment = 'done'), (this.status = 'PAID')));
        break;
      case 'ShipmentCreated':
        this.finish(() => (this.shipment = 'done'));
        break;
      case 'StockCommitted':
        this.finish(() => (this.committed = true));
        break;
      case 'StockReservationFailed':
        this.finish(() => ((this.stock = 'failed'), this.compensate('rejected', event.data.reason)));
        break;
      case 'PaymentFailed':
        this.finish(() => ((this.payment = 'failed'), this.compensate('rejected', event.data.reason)));
        break;
      case 'ShipmentFailed':
        this.finish(() => ((this.shipment = 'failed'), this.compensate('rejected', event.data.reason)));
        break;
      case 'StepTimedOut':
        this.finish(() => this.compensate('rejected', `${event.data.step} timed out`));
        break;
      case 'CancellationRequested':
        this.compensate('cancelled', 'cancelled by the customer');
        break;
      case 'ShipmentCancelled':
        this.finish(() => (this.shipment = 'compensated'));
        break;
      case 'PaymentRefunded':
        this.finish(() => (this.payment = 'compensated'));
        break;
      case 'StockReleased':
        this.finish(() => (this.stock = 'compensated'));
        break;
      case 'CompensationFailed':
        this.finish(() => ((this.status = 'COMPENSATION_FAILED'), (this.reason = `${event.data.compensation} failed: ${event.data.reason}`)));
        break;
      case 'OrderConfirmed':
        this.status = 'CONFIRMED';
        break;
      case 'OrderRejected':
        this.status = 'REJECTED';
        break;
      case 'OrderCancelled':
        this.status = 'CANCELLED';
        break;
      case 'LateReplyIgnored':
        break;
    }
  }

  /** What the flow must do now; 'none' when the order is final. */
  nextAction(): NextAction {
    if (this.terminal) return 'none';
    if (this.status === 'COMPENSATING') {
      if (this.shipment === 'pending' || this.shipment === 'done') return 'cancel-shipment';
      if (this.payment === 'pending' || this.payment === 'done') return 'refund-payment';
      if (this.stock === 'pending' || this.stock === 'done') return 'release-stock';
      return 'finalize';
    }
    if (this.stock !== 'done') return 'reserve-stock';
    if (this.payment !== 'done') return 'charge-payment';
    if (this.shipment !== 'done') return 'create-shipment';
    if (!this.committed) return 'commit-stock';
    return 'finalize';
  }

  /** Whether the step in progress has run past its deadline (steps past the pivot have none: they are retried). */
  overdue(now: Date, stepTimeoutMs: number): boolean {
    if (this.current === undefined || !Order.hasDeadline(this.current.step)) return false;
    return now.getTime() - new Date(this.current.since).getTime() > stepTimeoutMs;
  }

  /**
   * Once the shipment is booked the order is past its pivot: committing the sold stock is retried
   * until it succeeds (it is idempotent) and is never compensated, so it has no deadline.
   */
  static hasDeadline(step: string): boolean {
    return step !== 'commit-stock';
  }

  /** The events that finish the order once nothing is left to do. */
  finalEvent(): OrderEvent {
    if (this.status !== 'COMPENSATING') return { type: 'OrderConfirmed', data: {} };
    return this.cause === 'cancelled' ? { type: 'OrderCancelled', data: {} } : { type: 'OrderRejected', data: { reason: this.reason ?? 'rejected' } };
  }

  /** A customer may cancel until the shipment is booked; cancelling twice is harmless. */
  requestCancellation(): OrderEvent[] {
    // Once the shipment is booked the order is past its pivot: it completes, it is not undone.
    if (this.status === 'CONFIRMED' || this.status === 'COMPENSATION_FAILED' || this.shipment === 'done')
      throw new OrderNotCancellableError(this.id, this.status);
    if (this.status === 'COMPENSATING' || this.terminal) return [];
    return [{ type: 'CancellationRequested', data: {} }];
  }

  /** The part of the flow a compensation undoes. */
  static partOf(compensation: Compensation): 'shipment' | 'payment' | 'stock' {
    return COMPENSATION_OF[compensation];
  }

  private finish(change: () => unknown): void {
    change();
    this.current = undefined;
  }

  private compensate(cause: 'rejected' | 'cancelled', reason: string): void {
    if (this.status === 'COMPENSATING' || this.terminal) return;
    this.status = 'COMPENSATING';
    this.cause = cause;
    this.reason = reason;
  }
}
