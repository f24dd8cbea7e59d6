import { EVENT_CURSOR_COLUMNS } from '@commerce/projections';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The retained log of every integration event reporting consumed. Projections read it in commit
 * order and a rebuild replays it; the read-model tables themselves are versioned by the runtime.
 */
export class CreateReporting1764000007000 implements MigrationInterface {
  name = 'CreateReporting1764000007000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE reporting.event_log (
        ${EVENT_CURSOR_COLUMNS},
        message_id uuid PRIMARY KEY,
        type text NOT NULL,
        data jsonb NOT NULL,
        recorded_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX event_log_commit_order_idx ON reporting.event_log (tx, position)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE reporting.event_log`);
  }
}
