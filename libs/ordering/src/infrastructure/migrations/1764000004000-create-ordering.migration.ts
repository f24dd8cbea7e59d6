import { MigrationInterface, QueryRunner } from 'typeorm';

/** The order event store, its list projection, and idempotency keys. */
export class CreateOrdering1764000004000 implements MigrationInterface {
  name = 'CreateOrdering1764000004000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE ordering.order_event (
        order_id uuid NOT NULL,
        version integer NOT NULL CHECK (version > 0),
        type text NOT NULL,
        data jsonb NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        PRIMARY KEY (order_id, version)
      )`);
    await q.query(`
      CREATE TABLE ordering.order_view (
        id uuid PRIMARY KEY,
        customer_id text NOT NULL,
        email text NOT NULL,
        status text NOT NULL,
        lines jsonb NOT NULL,
        total_amount bigint NOT NULL,
        currency char(3) NOT NULL,
        shipping_address jsonb NOT NULL,
        reason text,
        version integer NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX order_view_customer_idx ON ordering.order_view (customer_id, created_at DESC)`);
    await q.query(`CREATE INDEX order_view_status_idx ON ordering.order_view (status, updated_at)`);
    await q.query(`
      CREATE TABLE ordering.idempotency_key (
        key text PRIMARY KEY,
        request_hash text NOT NULL,
        order_id uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE ordering.idempotency_key, ordering.order_view, ordering.order_event`);
  }
}
