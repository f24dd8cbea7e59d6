import { Logger } from '@nestjs/common';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import * as pg from 'pg';

/** Where a DataSource connects: a URL, and for the embedded server the `pg` module it must use. */
export interface DatabaseTarget {
  url: string;
  driver?: object;
}

/**
 * Real Postgres compiled to WASM (PGlite), served on a loopback port so plain `pg` can use it.
 *
 * PGlite has one session. Its socket server runs one client's transaction at a time, but it
 * interleaves the protocol messages of statements sent outside a transaction by different
 * connections (seen here as `portal "" does not exist`). So every DataSource of the process
 * shares one single-connection pool, handed to TypeORM as its `pg` driver.
 */
export class EmbeddedPostgres {
  private constructor(
    readonly url: string,
    private readonly pool: pg.Pool,
    private readonly stopServer: () => Promise<void>,
  ) {}

  /** Starts PGlite on `dataDir` (or in memory for `memory://`) behind a socket server on 127.0.0.1. */
  static async start(dataDir: string): Promise<EmbeddedPostgres> {
    const { PGlite } = await import('@electric-sql/pglite');
    const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
    const location = dataDir === 'memory://' ? dataDir : resolve(dataDir, 'pglite');
    if (location !== 'memory://') mkdirSync(location, { recursive: true });
    const db = await PGlite.create(location);
    const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 4 });
    await server.start();
    const url = `postgres://postgres@${server.getServerConn()}/postgres`;
    const pool = new pg.Pool({ connectionString: url, max: 1, connectionTimeoutMillis: 30_000 });
    new Logger(EmbeddedPostgres.name).log({ msg: 'embedded Postgres (PGlite) started', dataDir: location });
    return new EmbeddedPostgres(url, pool, async () => {
      await server.stop();
      await db.close();
    });
  }

  /** The connection target every DataSource on this server must use. */
  target(): DatabaseTarget {
    const shared = new Proxy(this.pool, {
      get: (pool, property) => {
        // Closed once, by stop(); TypeORM passes a callback, other callers await.
        if (property === 'end') return (done?: () => void) => (done ? done() : Promise.resolve());
        const value = Reflect.get(pool, property, pool) as unknown;
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(pool) : value;
      },
    });
    function SharedPool() {
      return shared;
    }
    return { url: this.url, driver: { ...pg, Pool: SharedPool } };
  }

  async stop(): Promise<void> {
    await this.pool.end();
    await this.stopServer();
  }
}
