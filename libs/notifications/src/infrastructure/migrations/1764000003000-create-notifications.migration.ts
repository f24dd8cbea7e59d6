import { MigrationInterface, QueryRunner } from 'typeorm';

/** Every notification sent, one per (kind, order, channel). */
export class CreateNotifications1764000003000 implements MigrationInterface {
  name = 'CreateNotifications1764000003000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE notifications.notification (
        id bigserial PRIMARY KEY,
        kind text NOT NULL,
        order_id uuid NOT NULL,
        channel text NOT NULL,
        recipient text NOT NULL,
        subject text NOT NULL,
        sent_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (kind, order_id, channel)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE notifications.notification`);
  }
}
