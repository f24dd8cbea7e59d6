import { Controller } from '@nestjs/common';
import { CancelShipment, PayloadOf, ResultOf } from '@commerce/contracts';
import { Handles } from '@commerce/messaging';
import { InjectDataSource } from '@commerce/platform';
import { DataSource } from 'typeorm';

/** Cancels an order's shipment; before creation it leaves a CANCELLED marker that refuses a late one. */
@Controller()
export class CancelShipmentHandler {
  constructor(@InjectDataSource('shipping') private readonly dataSource: DataSource) {}

  @Handles(CancelShipment)
  handle({ orderId }: PayloadOf<typeof CancelShipment>): Promise<ResultOf<typeof CancelShipment>> {
    return this.dataSource.transaction(async (m) => {
      await m.query(`INSERT INTO shipping.shipment (order_id, status) VALUES ($1, 'CANCELLED') ON CONFLICT DO NOTHING`, [orderId]);
      const [row] = (await m.query(
        `UPDATE shipping.shipment SET status = CASE WHEN status IN ('PENDING', 'CREATED') THEN 'CANCELLED' ELSE status END, updated_at = now() WHERE order_id = $1 RETURNING status`,
        [orderId],
      )) as [{ status: 'CANCELLED' | 'REJECTED' }[], number];
      return { orderId, status: row[0].status };
    });
  }
}
