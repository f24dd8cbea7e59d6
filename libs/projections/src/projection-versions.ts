import type { EntityManager } from 'typeorm';
import { ProjectionDefinition } from './projection';

const physical = (schema: string, table: string, version: number) => `${schema}.${table}_v${version}`;

/** Creates the tables of one version of a projection. */
export async function createVersion(m: EntityManager, schema: string, definition: ProjectionDefinition, version: number): Promise<void> {
  for (const table of definition.tables) {
    await m.query(`DROP TABLE IF EXISTS ${physical(schema, table.name, version)}`);
    for (const statement of table.create(physical(schema, table.name, version))) await m.query(statement);
  }
}

/** Points the reader views at a version; readers waiting on the views see the new one after commit. */
export async function switchReaders(m: EntityManager, schema: string, definition: ProjectionDefinition, version: number): Promise<void> {
  for (const table of definition.tables) {
    // Dropped and created rather than replaced, so a new version may change the columns.
    await m.query(`DROP VIEW IF EXISTS ${schema}.${table.name}`);
    await m.query(`CREATE VIEW ${schema}.${table.name} AS SELECT * FROM ${physical(schema, table.name, version)}`);
  }
}

/** Drops the tables of a replaced version. */
export async function dropVersion(m: EntityManager, schema: string, definition: ProjectionDefinition, version: number): Promise<void> {
  for (const table of definition.tables) await m.query(`DROP TABLE IF EXISTS ${physical(schema, table.name, version)}`);
}
