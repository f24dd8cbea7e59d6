import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Durable timers of the order flow: one row per order that is not final, due when the flow must
 * look at it again (a retry after a backoff, a step's deadline, a resumption if its process went
 * quiet). Claimed with FOR UPDATE SKIP LOCKED, so several ordering instances share them. Orders in
 * flight when this runs are due at once, which resumes them as the recovery scan did.
 */
export class OrderTimer1764000004200 implements MigrationInterface {
  name = 'OrderTimer1764000004200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE ordering.order_timer (
        order_id uuid PRIMARY KEY,
        due_at timestamptz NOT NULL,
        reason text NOT NULL
      )`);
    await q.query(`CREATE INDEX order_timer_due_idx ON ordering.order_timer (due_at)`);
    await q.query(`
      INSERT INTO ordering.order_timer (order_id, due_at, reason)
      SELECT id, now(), 'resume' FROM ordering.order_view
      WHERE status NOT IN ('CONFIRMED', 'REJECTED', 'CANCELLED', 'COMPENSATION_FAILED')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE ordering.order_timer`);
  }
}
