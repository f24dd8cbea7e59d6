import { DataSource, MigrationExecutor, MigrationInterface } from 'typeorm';
import { preparingClient, StatementNames } from './auto-prepare';
import type { DatabaseTarget } from './embedded-postgres';

/** What a bounded context declares about its storage: its schema name and its migrations. */
export interface ContextDatabase {
  /** Also the Postgres schema the context owns. */
  context: string;
  migrations: (new () => MigrationInterface)[];
}

/**
 * Creates (but does not connect) the DataSource of one context. With `statementNames`, repeated
 * parameterised statements run as named (prepared) statements on a real server (ADR 31); the
 * embedded server is left out: its one session outlives the connections a pool opens to it, so
 * a reconnected client would prepare a name that session already holds.
 */
export function createContextDataSource(definition: ContextDatabase, target: DatabaseTarget, poolSize: number, statementNames?: StatementNames): DataSource {
  const prepared = statementNames && statementNames.max > 0 && !target.driver ? { Client: preparingClient(statementNames) } : {};
  return new DataSource({
    type: 'postgres',
    url: target.url,
    ...(target.driver ? { driver: target.driver } : {}),
    schema: definition.context,
    migrations: definition.migrations,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    entities: [],
    synchronize: false,
    logging: false, // failures surface as errors and are logged once, where they are handled
    applicationName: `commerce-kit:${definition.context}`,
    extra: { max: poolSize, connectionTimeoutMillis: 10_000, ...prepared },
  });
}

/** Creates the context's schema if needed and applies its pending migrations. */
export async function migrateContext(dataSource: DataSource, definition: ContextDatabase): Promise<string[]> {
  // One connection for the lock and the migrations, so instances starting together take turns
  // (and so it also works on the embedded server's single connection).
  const runner = dataSource.createQueryRunner();
  try {
    await runner.query(`SELECT pg_advisory_lock(hashtext($1))`, [`commerce-kit:migrate:${definition.context}`]);
    // Identifier quoting: context names are fixed in code, never user input.
    await runner.query(`CREATE SCHEMA IF NOT EXISTS "${definition.context}"`);
    const executor = new MigrationExecutor(dataSource, runner);
    executor.transaction = 'each';
    const applied = await executor.executePendingMigrations();
    return applied.map((m) => m.name);
  } finally {
    await runner.query(`SELECT pg_advisory_unlock(hashtext($1))`, [`commerce-kit:migrate:${definition.context}`]).catch(() => undefined);
    await runner.release();
  }
}
