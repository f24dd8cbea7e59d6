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
    return this.create(orderId, address);
  }

  private async create(orderId: string, address: PayloadOf<typeof CreateShipment>['address']): Promise<Result> {
    // The carrier's answer is decided before writing, so the claim, the shipment and its event are one statement.
    const refusal = carrierRefusal(address);
    const trackingNumber = refusal ? null : `TRK${randomBytes(6).toString('hex').toUpperCase()}`;
    const event = refusal
      ? this.uow.outboxRow(ShipmentFailed, { orderId, reason: refusal })
      : this.uow.outboxRow(ShipmentCreated, { orderId, trackingNumber: trackingNumber! });
    const [claimed] = (await this.dataSource.query(
      `WITH claim AS (
         INSERT INTO shipping.shipment (order_id, status, address, tracking_number, reason) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING order_id
       ), outbox AS (
         INSERT INTO shipping.outbox (id, type, envelope) SELECT $6, $7, $8 FROM claim
       )
       SELECT order_id FROM claim`,
      [orderId, refusal ? 'REJECTED' : 'CREATED', JSON.stringify(address), trackingNumber, refusal ?? null, event.id, event.type, event.envelope],
    )) as unknown[];
    if (claimed) {
      this.uow.written(this.dataSource);
      return refusal ? { orderId, status: 'REJECTED', reason: refusal } : { orderId, status: 'CREATED', trackingNumber: trackingNumber! };
    }
    // A repeat (or a cancellation first) answers with what was recorded.
    const [row] = (await this.dataSource.query(`SELECT status, tracking_number, reason FROM shipping.shipment WHERE order_id = $1`, [orderId])) as {
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
}
