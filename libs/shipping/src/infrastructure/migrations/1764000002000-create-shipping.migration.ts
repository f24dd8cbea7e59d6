import { MigrationInterface, QueryRunner } from 'typeorm';

/** Shipments per order. */
export class CreateShipping1764000002000 implements MigrationInterface {
  name = 'CreateShipping1764000002000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE shipping.shipment (
        order_id uuid PRIMARY KEY,
        status text NOT NULL CHECK (status IN ('PENDING', 'CREATED', 'REJECTED', 'CANCELLED')),
        tracking_number text,
        reason text,
        address jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE shipping.shipment`);
  }
}
