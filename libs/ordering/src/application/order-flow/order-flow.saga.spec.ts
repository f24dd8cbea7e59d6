import { Subject } from 'rxjs';
import { OrderAdvanced } from './order-advanced.event';
import { CompensateOrder, FinalizeOrder, RunOrderStep } from './order-flow.commands';
import { OrderFlowSaga } from './order-flow.saga';

describe('OrderFlowSaga', () => {
  it('maps each next action to its command', () => {
    const saga = new OrderFlowSaga();
    const events = new Subject<OrderAdvanced>();
    const commands: unknown[] = [];
    for (const stream of [saga.forward, saga.compensation, saga.completion]) stream(events).subscribe((c) => commands.push(c));
    events.next(new OrderAdvanced('o1', 'reserve-stock'));
    events.next(new OrderAdvanced('o1', 'refund-payment'));
    events.next(new OrderAdvanced('o1', 'finalize'));
    events.next(new OrderAdvanced('o1', 'none'));
    expect(commands).toEqual([new RunOrderStep('o1', 'reserve-stock'), new CompensateOrder('o1', 'refund-payment'), new FinalizeOrder('o1')]);
  });

  it('keeps serving other orders after an event it cannot map', () => {
    const saga = new OrderFlowSaga();
    const events = new Subject<OrderAdvanced>();
    const commands: RunOrderStep[] = [];
    let completed = false;
    saga.forward(events).subscribe({ next: (c) => commands.push(c as RunOrderStep), complete: () => (completed = true) });
    const poisoned = new OrderAdvanced('bad', 'charge-payment');
    Object.defineProperty(poisoned, 'orderId', {
      get() {
        throw new Error('corrupt event');
      },
    });
    events.next(poisoned);
    events.next(new OrderAdvanced('good', 'charge-payment'));
    expect(completed).toBe(false);
    expect(commands).toEqual([new RunOrderStep('good', 'charge-payment')]);
  });
});
