import { Controller } from '@nestjs/common';
import { CancelOrder, PayloadOf, ResultOf } from '@commerce/contracts';
import { Handles } from '@commerce/messaging';
import { OrderNotFoundError } from '../../domain/ordering.errors';
import { OrderStore } from '../../infrastructure/order-store.repository';
import { OrderFlow } from '../order-flow/order-flow';

/** Cancels an order that has not shipped; the flow then compensates what was done. */
@Controller()
export class CancelOrderHandler {
  constructor(
    private readonly store: OrderStore,
    private readonly flow: OrderFlow,
  ) {}

  @Handles(CancelOrder)
  async handle({ orderId }: PayloadOf<typeof CancelOrder>): Promise<ResultOf<typeof CancelOrder>> {
    if (!(await this.store.view(orderId))) throw new OrderNotFoundError(orderId);
    const order = await this.flow.record(orderId, (o) => o.requestCancellation());
    await this.flow.announceNow(orderId);
    return { orderId, status: order.status };
  }
}
