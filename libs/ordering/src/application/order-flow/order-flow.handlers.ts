import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { inSpan } from '@commerce/platform';
import { CompensateOrder, FinalizeOrder, RunOrderStep } from './order-flow.commands';
import { OrderFlow } from './order-flow';

/** Runs a forward step; failures are recorded on the order, never thrown into the saga. */
@CommandHandler(RunOrderStep)
export class RunOrderStepHandler implements ICommandHandler<RunOrderStep> {
  constructor(private readonly flow: OrderFlow) {}
  execute({ orderId, step }: RunOrderStep): Promise<void> {
    return inSpan(`order step ${step}`, stepSpan(orderId, step), () => this.flow.runStep(orderId, step));
  }
}

/** Runs a compensation, retrying with backoff until it succeeds or is declared failed. */
@CommandHandler(CompensateOrder)
export class CompensateOrderHandler implements ICommandHandler<CompensateOrder> {
  constructor(private readonly flow: OrderFlow) {}
  execute({ orderId, compensation }: CompensateOrder): Promise<void> {
    return inSpan(`order compensation ${compensation}`, stepSpan(orderId, compensation), () => this.flow.compensate(orderId, compensation));
  }
}

/** Records the order's final outcome and publishes it through the outbox. */
@CommandHandler(FinalizeOrder)
export class FinalizeOrderHandler implements ICommandHandler<FinalizeOrder> {
  constructor(private readonly flow: OrderFlow) {}
  execute({ orderId }: FinalizeOrder): Promise<void> {
    return inSpan('order step finalize', stepSpan(orderId, 'finalize'), () => this.flow.finalize(orderId));
  }
}

/** The saga's steps are spans of the order's trace (an order id is fine on a span, never on a metric). */
function stepSpan(orderId: string, step: string) {
  return { attributes: { 'order.id': orderId, 'order.step': step } };
}
