import { MigrationInterface, QueryRunner } from 'typeorm';
import { assertIdentifier } from './projection';

/** The checkpoint table of a schema's projections; add it to the context's migrations. */
export function projectionTablesMigration(schema: string): new () => MigrationInterface {
  assertIdentifier('schema', schema);
  return class CreateProjectionTables1764000000600 implements MigrationInterface {
    name = 'CreateProjectionTables1764000000600';

    async up(q: QueryRunner): Promise<void> {
      // One row per projection version: the live one, and a second while a rebuild runs.
      await q.query(`
        CREATE TABLE ${schema}.projection (
          name text NOT NULL,
          version integer NOT NULL CHECK (version > 0),
          live boolean NOT NULL,
          state text NOT NULL CHECK (state IN ('running', 'rebuilding', 'failed')),
          tx xid8 NOT NULL DEFAULT '0',
          position bigint NOT NULL DEFAULT 0,
          applied bigint NOT NULL DEFAULT 0,
          reason text,
          failed_position bigint,
          updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
          PRIMARY KEY (name, version)
        )`);
      await q.query(`CREATE UNIQUE INDEX projection_one_live_idx ON ${schema}.projection (name) WHERE live`);
    }

    async down(q: QueryRunner): Promise<void> {
      await q.query(`DROP TABLE ${schema}.projection`);
    }
  };
}

/**
 * Columns that make a table readable by projections in commit order: a position and the id of
 * the writing transaction. Use them in the CREATE TABLE of an event log.
 */
export const EVENT_CURSOR_COLUMNS = `position bigserial NOT NULL, tx xid8 NOT NULL DEFAULT pg_current_xact_id()`;
