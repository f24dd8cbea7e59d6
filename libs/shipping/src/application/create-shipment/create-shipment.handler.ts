import { Controller } from '@nestjs/common';
import { CreateShipment, PayloadOf, ResultOf, ShipmentCreated, ShipmentFailed } from '@commerce/contracts';
import { Handles, UnitOfWork } from '@commerce/messaging';
import { InjectDataSource } from '@commerce/platform';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { carrierRefusal } from '../../domain/carrier-rules';

type Result = ResultOf<typeof CreateShipment>;

/** Books one shipment per order with the (simulated) carrier; a repeat returns the first answer. */
@Controller()
export class CreateShipmentHandler {
  constructor(
    @InjectDataSource('shipping') private readonly dataSource: DataSource,
    private readonly uow: UnitOfWork,
  ) {}

  @Handles(CreateShipment)
  handle({ orderId, address }: PayloadOf<typeof CreateShipment>): Promise<Result> {
    return this.uow.transaction(this.dataSource, async (m, emit): Promise<Result> => {
      const claimed = (await m.query(
        `INSERT INTO shipping.shipment (order_id, status, address) VALUES ($1, 'PENDING', $2) ON CONFLICT DO NOTHING RETURNING order_id`,
        [orderId, JSON.stringify(address)],
      )) as unknown[];
      if (claimed.length === 0) {
        const [row] = (await m.query(`SELECT status, tracking_number, reason FROM shipping.shipment WHERE order_id = $1`, [orderId])) as {
          status: Result['status'];
          tracking_number: string | null;
          reason: string | null;
        }[];
        return {
          orderId,
          status: row.status,
          ...(row.tracking_number ? { trackingNumber: row.tracking_number } : {}),
          ...(row.reason ? { reason: row.reason } : {}),
        };
      }
      const refusal = carrierRefusal(address);
      if (refusal) {
        await m.query(`UPDATE shipping.shipment SET status = 'REJECTED', reason = $2, updated_at = now() WHERE order_id = $1`, [orderId, refusal]);
        await emit(ShipmentFailed, { orderId, reason: refusal });
        return { orderId, status: 'REJECTED', reason: refusal };
      }
      const trackingNumber = `TRK${randomBytes(6).toString('hex').toUpperCase()}`;
      await m.query(`UPDATE shipping.shipment SET status = 'CREATED', tracking_number = $2, updated_at = now() WHERE order_id = $1`, [orderId, trackingNumber]);
      await emit(ShipmentCreated, { orderId, trackingNumber });
      return { orderId, status: 'CREATED', trackingNumber };
    });
  }
}
