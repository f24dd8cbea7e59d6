import { MigrationInterface, QueryRunner } from 'typeorm';

/** The outbox and inbox tables of one context's schema; add it to the context's migrations. */
export function messagingTablesMigration(schema: string): new () => MigrationInterface {
  if (!/^[a-z][a-z0-9_]*$/.test(schema)) throw new Error(`Invalid schema name "${schema}"`);
  return class CreateMessagingTables1764000000500 implements MigrationInterface {
    name = 'CreateMessagingTables1764000000500';

    async up(q: QueryRunner): Promise<void> {
      await q.query(`
        CREATE TABLE ${schema}.outbox (
          id uuid PRIMARY KEY,
          type text NOT NULL,
          envelope text NOT NULL,
          created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
          sent_at timestamptz,
          claimed_until timestamptz
        )`);
      await q.query(`CREATE INDEX outbox_unsent_idx ON ${schema}.outbox (created_at) WHERE sent_at IS NULL`);
      await q.query(`CREATE INDEX outbox_sent_idx ON ${schema}.outbox (sent_at) WHERE sent_at IS NOT NULL`);
      await q.query(`
        CREATE TABLE ${schema}.inbox (
          message_id uuid NOT NULL,
          handler text NOT NULL,
          received_at timestamptz NOT NULL DEFAULT now(),
          PRIMARY KEY (message_id, handler)
        )`);
      await q.query(`CREATE INDEX inbox_received_idx ON ${schema}.inbox (received_at)`);
    }

    async down(q: QueryRunner): Promise<void> {
      await q.query(`DROP TABLE ${schema}.inbox, ${schema}.outbox`);
    }
  };
}

/**
 * The outbox's claim column for schemas made before `messagingTablesMigration` had it: a relay
 * leases a batch (FOR UPDATE SKIP LOCKED, then `claimed_until`) in one statement instead of holding
 * a transaction while it publishes.
 */
export function outboxClaimMigration(schema: string): new () => MigrationInterface {
  if (!/^[a-z][a-z0-9_]*$/.test(schema)) throw new Error(`Invalid schema name "${schema}"`);
  return class OutboxClaim1764000009000 implements MigrationInterface {
    name = 'OutboxClaim1764000009000';

    async up(q: QueryRunner): Promise<void> {
      await q.query(`ALTER TABLE ${schema}.outbox ADD COLUMN IF NOT EXISTS claimed_until timestamptz`);
    }

    async down(): Promise<void> {
      // The column belongs to the outbox table from its first migration on.
    }
  };
}
