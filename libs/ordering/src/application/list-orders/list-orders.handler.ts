import { Controller } from '@nestjs/common';
import { ListOrders, PayloadOf, ResultOf } from '@commerce/contracts';
import { Handles } from '@commerce/messaging';
import { OrderStore } from '../../infrastructure/order-store.repository';

/** Lists orders from the projection, newest first, filtered by customer and status. */
@Controller()
export class ListOrdersHandler {
  constructor(private readonly store: OrderStore) {}

  @Handles(ListOrders)
  async handle(query: PayloadOf<typeof ListOrders>): Promise<ResultOf<typeof ListOrders>> {
    const { items, total } = await this.store.list(query);
    return { items, total, limit: query.limit, offset: query.offset };
  }
}
