import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

/**
 * A hot read as a named, parameterised prepared statement run on the DataSource's own `pg` pool:
 * Postgres parses and plans it once per connection, and the call skips TypeORM's per-query query
 * runner. For reads outside a transaction only; name each statement once per process. Select an
 * explicit column list, so a column added by a later migration does not change the result type.
 */
export class PreparedRead<Row> {
  constructor(
    /** Unique in the process, e.g. `catalog.product-by-id`. */
    private readonly name: string,
    private readonly text: string,
  ) {}

  rows(dataSource: DataSource, values: readonly unknown[]): Promise<Row[]> {
    const pool = (dataSource.driver as PostgresDriver).master as Pool;
    // pg's callback form: one promise per read (its promise form wraps the callback in two, and an async method adds two more).
    return new Promise<Row[]>((resolve, reject) =>
      pool.query<Row & object>({ name: this.name, text: this.text, values: [...values] }, (error, result) => (error ? reject(error) : resolve(result.rows))),
    );
  }
}
