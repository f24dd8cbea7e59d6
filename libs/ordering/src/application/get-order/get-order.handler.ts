import { Controller } from '@nestjs/common';
import { GetOrder, OrderView, PayloadOf } from '@commerce/contracts';
import { Handles } from '@commerce/messaging';
import { OrderNotFoundError } from '../../domain/ordering.errors';
import { OrderStore } from '../../infrastructure/order-store.repository';

const HIDDEN = new Set(['paymentToken']);

/** Answers an order with its history (the events of its stream, payment token left out). */
@Controller()
export class GetOrderHandler {
  constructor(private readonly store: OrderStore) {}

  @Handles(GetOrder)
  async handle({ orderId }: PayloadOf<typeof GetOrder>): Promise<OrderView> {
    const [view, loaded] = await Promise.all([this.store.view(orderId), this.store.load(orderId)]);
    if (!view || !loaded) throw new OrderNotFoundError(orderId);
    const history = loaded.events.map((e) => ({
      version: e.version,
      type: e.type,
      at: e.recordedAt,
      data: Object.fromEntries(Object.entries(e.data).filter(([k]) => !HIDDEN.has(k))),
    }));
    return { ...view, history };
  }
}
