import { Controller } from '@nestjs/common';
import { CreateShipment, PayloadOf, ResultOf, ShipmentCreated, ShipmentFailed } from '@commerce/contracts';
import { GroupCommit, Handles, OutboxRow, UnitOfWork } from '@commerce/messaging';
import { InjectDataSource } from '@commerce/platform';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { carrierRefusal } from '../../domain/carrier-rules';

type Result = ResultOf<typeof CreateShipment>;

/** A shipment to claim for an order, with the carrier's answer and its event's outbox row. */
interface NewShipment {
  orderId: string;
  status: 'CREATED' | 'REJECTED';
  address: PayloadOf<typeof CreateShipment>['address'];
  trackingNumber: string | null;
  reason: string | null;
  event: OutboxRow;
}

/** Books one shipment per order with the (simulated) carrier; a repeat returns the first answer. */
@Controller()
export class CreateShipmentHandler {
  /** Shipments of concurrent orders are claimed, booked and announced by one statement (group commit). */
  private readonly shipments: GroupCommit<NewShipment, boolean>;

  constructor(
    @InjectDataSource('shipping') private readonly dataSource: DataSource,
    private readonly uow: UnitOfWork,
  ) {
    this.shipments = new GroupCommit((shipments) => this.claimAll(shipments));
  }

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
    const claimed = await this.shipments.submit({
      orderId,
      status: refusal ? 'REJECTED' : 'CREATED',
      address,
      trackingNumber,
      reason: refusal ?? null,
      event,
    });
    if (claimed) {
      this.uow.written(this.dataSource, [event]); // claimed: its event was inserted with the shipment
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

  /**
   * One statement for a group: claims each order's shipment (a repeat, or a cancellation first,
   * keeps the row it found), and writes the event of each claimed one. An order's second shipment in
   * the group is not written: it is answered from the first's row once the group committed.
   */
  private async claimAll(shipments: NewShipment[]): Promise<boolean[]> {
    const first = shipments.filter((s, i) => shipments.findIndex((t) => t.orderId === s.orderId) === i);
    const rows = (await this.dataSource.query(
      `WITH s AS (
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::jsonb[], $4::text[], $5::text[], $6::uuid[], $7::text[], $8::text[])
           AS s(order_id, status, address, tracking_number, reason, event_id, type, envelope)
       ), claim AS (
         INSERT INTO shipping.shipment (order_id, status, address, tracking_number, reason)
         SELECT order_id, status, address, tracking_number, reason FROM s ON CONFLICT DO NOTHING RETURNING order_id
       ), outbox AS (
         INSERT INTO shipping.outbox (id, type, envelope) SELECT s.event_id, s.type, s.envelope FROM s WHERE s.order_id IN (SELECT order_id FROM claim)
       )
       SELECT order_id FROM claim`,
      [
        first.map((s) => s.orderId),
        first.map((s) => s.status),
        first.map((s) => JSON.stringify(s.address)),
        first.map((s) => s.trackingNumber),
        first.map((s) => s.reason),
        first.map((s) => s.event.id),
        first.map((s) => s.event.type),
        first.map((s) => s.event.envelope),
      ],
    )) as { order_id: string }[];
    const claimed = new Set(rows.map((r) => r.order_id));
    return shipments.map((s) => first.includes(s) && claimed.has(s.orderId));
  }
}
