import type { DataSource } from 'typeorm';

/** The Postgres schema a context's DataSource owns (where its outbox and inbox live). */
export function schemaOf(dataSource: DataSource): string {
  const schema = (dataSource.options as { schema?: string }).schema;
  if (!schema || !/^[a-z][a-z0-9_]*$/.test(schema)) throw new Error('A context DataSource must name its schema');
  return schema;
}
