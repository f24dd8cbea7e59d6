import { Controller } from '@nestjs/common';
import { ListCustomerOrders, PayloadOf, ResultOf } from '@commerce/contracts';
import { Handles } from '@commerce/messaging';
import { InjectDataSource } from '@commerce/platform';
import { DataSource } from 'typeorm';

interface Row {
  order_id: string;
  status: string;
  total_amount: string | null;
  currency: string | null;
  tracking_number: string | null;
  updated_at: Date;
  total: number;
}

/** Answers one customer's orders from the reporting read model, never from ordering. */
@Controller()
export class ListCustomerOrdersHandler {
  constructor(@InjectDataSource('reporting') private readonly dataSource: DataSource) {}

  @Handles(ListCustomerOrders)
  async handle({ customerId, limit, offset }: PayloadOf<typeof ListCustomerOrders>): Promise<ResultOf<typeof ListCustomerOrders>> {
    const rows = (await this.dataSource.query(
      `SELECT order_id, status, total_amount, currency, tracking_number, updated_at, count(*) OVER ()::int AS total
         FROM reporting.customer_orders WHERE customer_id = $1 ORDER BY updated_at DESC, order_id LIMIT $2 OFFSET $3`,
      [customerId, limit, offset],
    )) as Row[];
    return {
      items: rows.map((r) => ({
        orderId: r.order_id,
        status: r.status,
        ...(r.total_amount !== null && r.currency ? { total: { amount: Number(r.total_amount), currency: r.currency } } : {}),
        ...(r.tracking_number ? { trackingNumber: r.tracking_number } : {}),
        updatedAt: new Date(r.updated_at).toISOString(),
      })),
      total: rows[0]?.total ?? 0,
    };
  }
}
