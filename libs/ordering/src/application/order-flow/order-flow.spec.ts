import { randomUUID } from 'node:crypto';
import { ChargePayment, CommitStock, DomainError, ReleaseStock, ReserveStock } from '@commerce/contracts';
import { InMemoryOrderFlow } from '../../../test/in-memory-order-flow';
import { orderPlaced } from '../../../test/order-placed.fixture';
import { ORDER_STEPS, OrderFlowDefinition, PIVOT, StepDefinition } from '../../domain/order-flow.definition';

const ATTEMPTS = 3;
const rejection = (type: string) =>
  type.startsWith('catalog')
    ? { orderId: '', status: 'REJECTED', shortages: [] }
    : type.startsWith('payments')
      ? { orderId: '', status: 'DECLINED', reason: 'card declined' }
      : { orderId: '', status: 'REJECTED', reason: 'carrier refused' };

/** The flow's definition, run branch by branch through the real saga and executor with the owners stood in (no HTTP, no database). */
describe('the order flow definition, executed in memory', () => {
  let t: InMemoryOrderFlow;
  beforeEach(async () => (t = await InMemoryOrderFlow.start({ ORDER_STEP_TIMEOUT_MS: 400, ORDER_COMPENSATION_ATTEMPTS: ATTEMPTS })));
  afterEach(() => t.stop());

  /**
   * A step deadline that two backoffs (100 + 200 ms) and three answers fit in however loaded the
   * machine is, for the cases that must succeed by retrying: 400 ms left 100 ms of slack, and a
   * busy CI run once timed the step out.
   */
  const roomyDeadline = async () => {
    await t.stop();
    t = await InMemoryOrderFlow.start({ ORDER_STEP_TIMEOUT_MS: 10_000, ORDER_COMPENSATION_ATTEMPTS: ATTEMPTS });
  };

  const run = async (token = 'tok_visa') => {
    const id = randomUUID();
    await t.place(id, orderPlaced(token));
    const settled = await t.settle(id);
    return { id, ...settled, types: settled.events.map((e) => e.type), sent: t.sent(id) };
  };

  it('runs every step in the order of the definition and confirms', async () => {
    const { order, types, sent } = await run();
    expect(order.status).toBe('CONFIRMED');
    expect(sent).toEqual(ORDER_STEPS.map((s) => s.command.type));
    expect(types).toEqual(['OrderPlaced', ...ORDER_STEPS.flatMap((s) => ['StepStarted', s.succeeded]), 'OrderConfirmed']);
    expect(t.emitted).toEqual(['ordering.order-confirmed.v1']);
  });

  // One case per step that its owner may refuse: everything done before it is undone, in reverse.
  for (const [index, step] of ORDER_STEPS.entries()) {
    if (!('rejected' in step)) continue;
    it(`compensates the steps before ${step.name} in reverse when its owner refuses it`, async () => {
      t.answer(step.command, (p) => ({ reply: { ...rejection(step.command.type), orderId: p.orderId } }));
      const { order, types, sent } = await run();
      const undone = ORDER_STEPS.slice(0, index)
        .reverse()
        .flatMap((s) => ((s as StepDefinition).compensation ? [(s as StepDefinition).compensation!] : []));
      expect(order.status).toBe('REJECTED');
      expect(types).toContain(step.rejected);
      expect(sent).toEqual([...ORDER_STEPS.slice(0, index + 1).map((s) => s.command.type), ...undone.map((c) => c.command.type)]);
      expect(types.filter((type) => undone.some((c) => c.done === type))).toEqual(undone.map((c) => c.done));
      expect(t.emitted).toEqual(['ordering.order-rejected.v1']);
    });
  }

  it('asks again after a reply that says "not yet" (a pending payment)', async () => {
    await roomyDeadline();
    t.answer(ChargePayment, (p, call) => ({ reply: { orderId: p.orderId, status: call < 3 ? 'PENDING' : 'CAPTURED' } }));
    const { order, types } = await run();
    expect(order.status).toBe('CONFIRMED');
    expect(types.filter((type) => type === 'StepFailed')).toHaveLength(2);
  });

  it('retries an unavailable owner within the deadline before the pivot', async () => {
    await roomyDeadline();
    t.answer(ReserveStock, (p, call) =>
      call < 3 ? { error: new DomainError('MESSAGING.NO_HANDLER', 'unavailable', 'down') } : { reply: { orderId: p.orderId, status: 'RESERVED' } },
    );
    const { order } = await run();
    expect(order.status).toBe('CONFIRMED');
    expect(t.sent(order.id).filter((type) => type === ReserveStock.type)).toHaveLength(3);
  });

  it('fails a step before the pivot that has no outcome by its deadline, and compensates it as if it happened', async () => {
    t.answer(ChargePayment, () => 'hang');
    const { order, types, sent } = await run();
    expect(order.status).toBe('REJECTED');
    expect(order.reason).toBe('charge-payment timed out');
    expect(types).toContain('StepTimedOut');
    expect(sent.slice(-2)).toEqual(['payments.refund-payment.v1', 'catalog.release-stock.v1']);
  });

  it('fails a step whose owner stays unreachable once its deadline has passed', async () => {
    t.answer(ReserveStock, () => ({ error: new DomainError('MESSAGING.NO_HANDLER', 'unavailable', 'down') }));
    const { order, sent } = await run();
    expect(order.status).toBe('REJECTED');
    expect(sent.filter((type) => type === ReserveStock.type).length).toBeGreaterThan(1);
    expect(sent.at(-1)).toBe(ReleaseStock.type);
  });

  it(`retries a step past the pivot (${PIVOT}) through timeouts and outages until it succeeds, with no deadline`, async () => {
    expect(OrderFlowDefinition.pastPivot(CommitStock.type.split('.')[1])).toBe(true);
    t.answer(CommitStock, (p, call) =>
      call <= ATTEMPTS + 1 ? { error: new DomainError('MESSAGING.TIMEOUT', 'timeout', 'slow') } : { reply: { orderId: p.orderId, status: 'COMMITTED' } },
    );
    const { order, types } = await run();
    expect(order.status).toBe('CONFIRMED');
    expect(types.filter((type) => type === 'StepFailed')).toHaveLength(ATTEMPTS + 1);
  });

  it('parks an order whose owner answers with an error, after the attempts allowed, and never loops', async () => {
    t.answer(CommitStock, () => ({ error: new DomainError('CATALOG.BROKEN', 'internal', 'boom') }));
    const { order, types, sent } = await run();
    expect(order.status).toBe('PARKED');
    expect(order.reason).toBe('commit-stock parked: boom');
    expect(sent.filter((type) => type === CommitStock.type)).toHaveLength(ATTEMPTS);
    expect(types.at(-1)).toBe('StepParked');
    expect(order.nextAction()).toBe('none');
  });

  it('parks an order at once on a permanent or invalid answer, undoing nothing', async () => {
    t.answer(ChargePayment, () => ({ error: new DomainError('PAYMENTS.INVALID', 'invalid', 'token malformed') }));
    const { order, events, sent } = await run();
    expect(order.status).toBe('PARKED');
    expect(sent.filter((type) => type === ChargePayment.type)).toHaveLength(1);
    expect(sent).not.toContain(ReleaseStock.type);
    expect(events.at(-1)?.data).toMatchObject({ step: 'charge-payment', kind: 'invalid', code: 'PAYMENTS.INVALID' });
    expect(t.emitted).toEqual([]);
  });

  it('parks an order on a reply that breaks its contract', async () => {
    t.answer(ReserveStock, () => ({ error: new DomainError('MESSAGING.INVALID_REPLY', 'internal', 'reply breaks its contract') }));
    expect((await run()).order.status).toBe('PARKED');
  });

  it('retries a compensation through timeouts until it answers, past the attempts allowed (ADR 17)', async () => {
    t.answer(ChargePayment, (p) => ({ reply: { orderId: p.orderId, status: 'DECLINED' } }));
    t.answer(ReleaseStock, (p, call) => (call <= ATTEMPTS + 1 ? 'hang' : { reply: { orderId: p.orderId, status: 'RELEASED' } }));
    const { order, types } = await run();
    expect(order.status).toBe('REJECTED');
    expect(types).toContain('StockReleased');
    expect(types).not.toContain('CompensationFailed');
  });

  it('parks the order in COMPENSATION_FAILED when the owner keeps answering a compensation with an error', async () => {
    t.answer(ChargePayment, (p) => ({ reply: { orderId: p.orderId, status: 'DECLINED' } }));
    t.answer(ReleaseStock, () => ({ error: new DomainError('CATALOG.BROKEN', 'internal', 'boom') }));
    const { order, events, sent } = await run();
    expect(order.status).toBe('COMPENSATION_FAILED');
    expect(sent.filter((type) => type === ReleaseStock.type)).toHaveLength(ATTEMPTS);
    expect(events.at(-1)).toMatchObject({ type: 'CompensationFailed', data: { compensation: 'release-stock' } });
  });

  it('parks a compensation at once on a permanent answer', async () => {
    t.answer(ChargePayment, (p) => ({ reply: { orderId: p.orderId, status: 'DECLINED' } }));
    t.answer(ReleaseStock, () => ({ error: new DomainError('CATALOG.NOT_FOUND', 'not-found', 'no such reservation') }));
    const { order, sent } = await run();
    expect(order.status).toBe('COMPENSATION_FAILED');
    expect(sent.filter((type) => type === ReleaseStock.type)).toHaveLength(1);
  });

  it('cancels before the pivot: the late reply is ignored and what may have happened is undone', async () => {
    const id = randomUUID();
    let cancel!: () => void;
    const cancelled = new Promise<void>((resolve) => (cancel = resolve));
    t.answer(ChargePayment, (p) => {
      cancel();
      return { reply: { orderId: p.orderId, status: 'CAPTURED' }, delayMs: 200 };
    });
    await t.place(id, orderPlaced());
    await cancelled;
    await t.flow.record(id, (o) => o.requestCancellation());
    await t.flow.announceNow(id);
    const { order, events } = await t.settle(id);
    expect(order.status).toBe('CANCELLED');
    expect(events.map((e) => e.type)).toContain('LateReplyIgnored');
    expect(t.sent(id).slice(-2)).toEqual(['payments.refund-payment.v1', 'catalog.release-stock.v1']);
  });

  it('refuses a cancellation once the pivot step succeeded', async () => {
    const { id } = await run();
    await expect(t.flow.record(id, (o) => o.requestCancellation())).rejects.toMatchObject({ code: 'ORDERING.NOT_CANCELLABLE' });
  });
});

describe('the order flow definition', () => {
  it('gives every step up to the pivot a deadline, and none after it a deadline or a compensation', () => {
    // A step before the pivot may have nothing to undo (a check); one after it is never undone.
    for (const step of ORDER_STEPS as readonly StepDefinition[]) {
      const past = OrderFlowDefinition.pastPivot(step.name);
      expect({ step: step.name, deadline: step.deadline, transient: step.retry.transient }).toEqual({
        step: step.name,
        deadline: past ? 'none' : 'step-timeout',
        transient: past ? 'until-success' : 'until-deadline',
      });
      if (past) expect(step.compensation).toBeUndefined();
    }
    expect(OrderFlowDefinition.step(PIVOT)?.compensation).toBeDefined();
  });

  it('gives every event a single meaning', () => {
    const names = (ORDER_STEPS as readonly StepDefinition[]).flatMap((s) => [s.succeeded, s.rejected ?? [], s.compensation?.done ?? []].flat());
    expect(new Set(names).size).toBe(names.length);
  });
});
