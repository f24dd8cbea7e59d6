import { Client, QueryResult } from 'pg';

/**
 * Postgres parses, analyses and plans an unnamed statement every time it runs: about a quarter of
 * the server's CPU per order in the order flow (ADR 31). A named statement is parsed once per
 * connection and, after a few runs, planned once (`plan_cache_mode` auto). This registry gives a
 * name to each parameterised statement text once it has run `minUses` times, for at most `max`
 * texts per process (first come), as pgx's statement cache and Npgsql's auto-prepare do; texts
 * past the cap, one-off texts and texts whose result columns could change under a running
 * process (`SELECT *` from a table, `RETURNING *`) stay unnamed.
 */
export class StatementNames {
  private readonly named = new Map<string, string>();
  private readonly seen = new Map<string, number>();
  private issued = 0;

  constructor(
    readonly max: number,
    private readonly minUses = 2,
  ) {}

  /** The name to run `text` under, or undefined to run it unnamed. */
  nameFor(text: string): string | undefined {
    const name = this.named.get(text);
    if (name !== undefined || this.max <= 0) return name;
    if (this.named.size >= this.max || STAR_RESULT.test(text)) return undefined;
    const uses = (this.seen.get(text) ?? 0) + 1;
    if (uses < this.minUses) {
      // Bounded like the names: texts never seen twice (built per call, say) must not grow it forever.
      if (this.seen.size < this.max * 4) this.seen.set(text, uses);
      return undefined;
    }
    this.seen.delete(text);
    return this.rename(text);
  }

  /**
   * A new name for `text`: after Postgres refused its prepared form (a table's columns changed under
   * it, SQLSTATE 0A000), every connection parses it afresh under the new name on its next use.
   */
  rename(text: string): string {
    const name = `ck_${++this.issued}`;
    this.named.set(text, name);
    return name;
  }

  get size(): number {
    return this.named.size;
  }
}

/** A result shape that follows a table's columns: a named statement would fail once they change. */
const STAR_RESULT = /\bRETURNING\s+(?:\w+\.)?\*|\bSELECT\s+(?:DISTINCT\s+)?(?:\w+\.)?\*\s+FROM\s+(?!unnest\b)/i;

/** SQLSTATE 0A000 as Postgres raises it for a prepared statement whose result row type changed. */
const isStalePlan = (error: unknown) =>
  (error as { code?: string } | undefined)?.code === '0A000' && /cached plan must not change result type/.test(String((error as Error).message));

type Callback = (error: Error | null, result: QueryResult) => void;

/**
 * The `pg` client the context DataSources use (`extra.Client`, which TypeORM hands to `pg.Pool`):
 * a parameterised statement given as text runs under the name `names` gives it. Everything else
 * (config objects, statements without parameters, streams) goes to `pg` unchanged.
 */
export function preparingClient(names: StatementNames): typeof Client {
  class PreparingClient extends Client {}
  const query = Client.prototype.query as (this: Client, config: unknown, values?: unknown, callback?: unknown) => unknown;
  Object.defineProperty(PreparingClient.prototype, 'query', {
    value: function (this: Client, config: unknown, values?: unknown, callback?: unknown) {
      if (typeof config !== 'string' || !Array.isArray(values) || values.length === 0) return query.call(this, config, values, callback);
      const name = names.nameFor(config);
      if (name === undefined) return query.call(this, config, values, callback);
      const forget = (error: unknown) => {
        if (isStalePlan(error) && names.nameFor(config) === name) names.rename(config);
      };
      if (typeof callback === 'function') {
        return query.call(this, { name, text: config, values }, undefined, (error: Error | null, result: QueryResult) => {
          if (error) forget(error);
          (callback as Callback)(error, result);
        });
      }
      return (query.call(this, { name, text: config, values }) as Promise<QueryResult>).catch((error: unknown) => {
        forget(error);
        throw error;
      });
    },
    writable: true,
    configurable: true,
  });
  return PreparingClient;
}
