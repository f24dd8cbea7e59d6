import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Makes the order event store readable by asynchronous projections in commit order: a global
 * position and the id of the transaction that wrote each event (see docs/patterns/projections.md).
 */
export class OrderEventCommitOrder1764000004100 implements MigrationInterface {
  name = 'OrderEventCommitOrder1764000004100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ordering.order_event ADD COLUMN position bigserial NOT NULL, ADD COLUMN tx xid8 NOT NULL DEFAULT pg_current_xact_id()`);
    await q.query(`CREATE INDEX order_event_commit_order_idx ON ordering.order_event (tx, position)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ordering.order_event DROP COLUMN tx, DROP COLUMN position`);
  }
}
