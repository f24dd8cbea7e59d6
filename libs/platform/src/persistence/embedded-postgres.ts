import { Logger } from '@nestjs/common';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';

/** Real Postgres compiled to WASM (PGlite), served on a loopback port so plain `pg` can use it. */
export class EmbeddedPostgres {
  private constructor(
    readonly url: string,
    private readonly stopFn: () => Promise<void>,
  ) {}

  /** Starts PGlite on `dataDir` (or in memory for `memory://`) behind a socket server on 127.0.0.1. */
  static async start(dataDir: string, maxConnections: number): Promise<EmbeddedPostgres> {
    const { PGlite } = await import('@electric-sql/pglite');
    const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
    const location = dataDir === 'memory://' ? dataDir : resolve(dataDir);
    if (location !== 'memory://') mkdirSync(location, { recursive: true });
    const db = await PGlite.create(location);
    // The socket server multiplexes clients onto PGlite's single session and keeps a
    // client's transaction exclusive until it ends; it needs a slot per pool connection.
    const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: maxConnections + 2 });
    await server.start();
    const url = `postgres://postgres@${server.getServerConn()}/postgres`;
    new Logger(EmbeddedPostgres.name).log({ msg: 'embedded Postgres (PGlite) started', dataDir: location });
    return new EmbeddedPostgres(url, async () => {
      await server.stop();
      await db.close();
    });
  }

  async stop(): Promise<void> {
    await this.stopFn();
  }
}
