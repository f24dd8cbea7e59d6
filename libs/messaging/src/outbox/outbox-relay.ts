import { Inject, Injectable, Logger } from '@nestjs/common';
import { DatabaseRegistry, outsideAnyTrace } from '@commerce/platform';
import { DataSource } from 'typeorm';
import { MESSAGING_CONFIG, MessagingConfig } from '../messaging.config';
import { Transport, TRANSPORT } from '../transport/transport';
import { shipInTrace } from './outbox-tracing';
import { schemaOf } from './schema-of';

const BATCH = 200;

/** A claimed outbox row. */
interface OutboxRow {
  id: string;
  type: string;
  envelope: string;
  created_at: Date;
}

/**
 * Ships each context's outbox to the transport: right after a commit (kick) and on a periodic
 * sweep. A batch is claimed in one statement (FOR UPDATE SKIP LOCKED, then a lease in
 * `claimed_until`), so relays in several processes never ship the same row while its lease lasts
 * and no transaction is held while publishing. A row is marked sent only after the broker confirmed
 * it, by the statement that claims the next batch (at the latest the periodic sweep's, well within
 * the lease; on stop a statement of their own): one round trip per batch and no write of its own
 * for the mark. After a crash, rows claimed and not marked are shipped again once their lease ends
 * (at least once; consumers' inboxes drop the repeat).
 */
@Injectable()
export class OutboxRelay {
  private readonly logger = new Logger(OutboxRelay.name);
  private readonly running = new Map<DataSource, Promise<void>>();
  private readonly again = new Set<DataSource>();
  /** Ids published (confirmed) and not yet marked sent, per context. */
  private readonly published = new Map<DataSource, string[]>();
  private sweepTimer?: NodeJS.Timeout;
  private pruneTimer?: NodeJS.Timeout;
  private stopped = true;

  constructor(
    private readonly databases: DatabaseRegistry,
    @Inject(TRANSPORT) private readonly transport: Transport,
    @Inject(MESSAGING_CONFIG) private readonly config: MessagingConfig,
  ) {}

  start(): void {
    // off: rows stay in the outbox (a drill for the crash window between commit and publish).
    if (this.config.OUTBOX_RELAY === 'off') return;
    this.stopped = false;
    this.sweep();
    // The sweep's claim also marks what was published since the last claim: it comes well within a lease.
    this.sweepTimer = setInterval(() => this.sweep(), Math.min(this.config.OUTBOX_POLL_MS, this.config.OUTBOX_CLAIM_MS / 2));
    this.pruneTimer = setInterval(() => void this.prune(), 60 * 60 * 1000);
    this.sweepTimer.unref();
    this.pruneTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.sweepTimer);
    clearInterval(this.pruneTimer);
    await Promise.allSettled([...this.running.values()]);
    await Promise.allSettled([...this.published.keys()].map((ds) => this.markPublished(ds)));
  }

  /** Ships what one DataSource's outbox holds, now; coalesces with a run in progress. */
  kick(dataSource: DataSource): void {
    if (this.stopped) return;
    if (this.running.has(dataSource)) {
      this.again.add(dataSource);
      return;
    }
    // Whichever request's commit kicked the relay, the batch belongs to no trace (each row restores its own).
    // Started on the next turn of the event loop, so that commits finishing together ship as one batch.
    const run = outsideAnyTrace(() => new Promise<void>((ok) => setImmediate(ok)).then(() => this.drain(dataSource)))
      .catch((error: unknown) =>
        this.logger.warn({ msg: 'outbox relay failed; the sweep will retry', err: error instanceof Error ? error.message : String(error) }),
      )
      .finally(() => this.running.delete(dataSource));
    this.running.set(dataSource, run);
  }

  /** Oldest unsent message age in ms per context (0 when empty), for readiness. */
  async lag(): Promise<Record<string, number>> {
    const entries = await Promise.all(
      this.sources().map(async (ds) => {
        const [row] = (await ds.query(
          `SELECT COALESCE(EXTRACT(EPOCH FROM clock_timestamp() - min(created_at)) * 1000, 0)::float8 AS ms FROM ${schemaOf(ds)}.outbox WHERE sent_at IS NULL`,
        )) as { ms: number }[];
        return [schemaOf(ds), Math.round(Number(row.ms))] as const;
      }),
    );
    return Object.fromEntries(entries);
  }

  /** Unsent rows and the age of the oldest, per context (for metrics). */
  async backlog(): Promise<Record<string, { pending: number; oldestSeconds: number }>> {
    const entries = await Promise.all(
      this.sources().map(async (ds) => {
        const [row] = (await ds.query(
          `SELECT count(*)::int AS pending, COALESCE(EXTRACT(EPOCH FROM clock_timestamp() - min(created_at)), 0)::float8 AS age FROM ${schemaOf(ds)}.outbox WHERE sent_at IS NULL`,
        )) as { pending: number; age: number }[];
        return [schemaOf(ds), { pending: Number(row.pending), oldestSeconds: Number(row.age) }] as const;
      }),
    );
    return Object.fromEntries(entries);
  }

  /** Deletes sent rows and inbox entries past the retention period. */
  async prune(): Promise<void> {
    const hours = this.config.OUTBOX_RETENTION_HOURS;
    for (const ds of this.sources()) {
      const schema = schemaOf(ds);
      await ds.query(`DELETE FROM ${schema}.outbox WHERE sent_at < now() - make_interval(hours => $1)`, [hours]).catch(() => undefined);
      await ds.query(`DELETE FROM ${schema}.inbox WHERE received_at < now() - make_interval(hours => $1)`, [hours]).catch(() => undefined);
    }
  }

  private sweep(): void {
    if (this.transport.isConnected()) {
      for (const ds of this.sources()) this.kick(ds);
      return;
    }
    // Nothing can be published now, but rows the broker confirmed before it went away are marked within their lease.
    for (const ds of [...this.published.keys()]) {
      if (!this.running.has(ds)) void this.markPublished(ds).catch(() => undefined);
    }
  }

  private sources(): DataSource[] {
    return this.databases
      .all()
      .map((s) => s.dataSource)
      .filter((ds) => ds.isInitialized);
  }

  /**
   * Ships batches until the outbox is empty. Commits that kicked while a batch was being claimed or
   * published are shipped by one more claim, after a short wait (OUTBOX_COALESCE_MS) that lets the
   * commits of the next moments join it: under load, concurrent kicks share a claim statement. A
   * kick that finds the relay idle is shipped at once, without the wait.
   */
  private async drain(dataSource: DataSource): Promise<void> {
    do {
      this.again.delete(dataSource);
      while (!this.stopped && (await this.shipBatch(dataSource)) === BATCH);
      if (this.again.has(dataSource) && !this.stopped && this.config.OUTBOX_COALESCE_MS > 0) {
        await new Promise((resolve) => setTimeout(resolve, this.config.OUTBOX_COALESCE_MS));
      }
    } while (this.again.has(dataSource) && !this.stopped);
  }

  /** Claims a batch (marking the previous batches' rows sent in the same statement) and publishes it. */
  private async shipBatch(dataSource: DataSource): Promise<number> {
    const done = this.takePublished(dataSource);
    let rows: OutboxRow[];
    try {
      rows = await this.claim(dataSource, done);
    } catch (error) {
      this.addPublished(dataSource, done);
      throw error;
    }
    if (rows.length === 0) return 0;
    rows.sort((a, b) => a.created_at.getTime() - b.created_at.getTime());
    const results = await Promise.allSettled(
      rows.map((row) => shipInTrace(this.transport.name, row.type, row.envelope, (raw) => this.transport.publish(row.type, raw))),
    );
    this.addPublished(
      dataSource,
      rows.filter((_, i) => results[i].status === 'fulfilled').map((r) => r.id),
    );
    const failed = rows.filter((_, i) => results[i].status === 'rejected').map((r) => r.id);
    if (failed.length > 0) {
      // Unconfirmed rows go back to the outbox at once (not when their lease ends), for the sweep to retry.
      await this.markPublished(dataSource, failed);
      throw (results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason;
    }
    return rows.length;
  }

  /** One statement: marks `done` sent and leases the next batch of unsent, unleased rows. */
  private async claim(dataSource: DataSource, done: string[]): Promise<OutboxRow[]> {
    const schema = schemaOf(dataSource);
    // TypeORM answers an UPDATE … RETURNING with [rows, affected].
    const [rows] = (await dataSource.query(
      `WITH sent AS (
         UPDATE ${schema}.outbox SET sent_at = clock_timestamp() WHERE id = ANY($1::uuid[])
       ), next AS (
         SELECT id FROM ${schema}.outbox
         WHERE sent_at IS NULL AND (claimed_until IS NULL OR claimed_until < clock_timestamp()) AND NOT (id = ANY($1::uuid[]))
         ORDER BY created_at LIMIT ${BATCH} FOR UPDATE SKIP LOCKED
       )
       UPDATE ${schema}.outbox o SET claimed_until = clock_timestamp() + make_interval(secs => $2::float8 / 1000)
       FROM next WHERE o.id = next.id
       RETURNING o.id, o.type, o.envelope, o.created_at`,
      [done, this.config.OUTBOX_CLAIM_MS],
    )) as [OutboxRow[], number];
    return rows;
  }

  /** Marks the published rows sent, and gives `release` back to the outbox unleased, in one statement. */
  private async markPublished(dataSource: DataSource, release: string[] = []): Promise<void> {
    const done = this.takePublished(dataSource);
    if (done.length === 0 && release.length === 0) return;
    try {
      await dataSource.query(
        `UPDATE ${schemaOf(dataSource)}.outbox SET sent_at = CASE WHEN id = ANY($1::uuid[]) THEN clock_timestamp() END, claimed_until = NULL
         WHERE id = ANY($1::uuid[]) OR id = ANY($2::uuid[])`,
        [done, release],
      );
    } catch (error) {
      this.addPublished(dataSource, done);
      throw error;
    }
  }

  private takePublished(dataSource: DataSource): string[] {
    const ids = this.published.get(dataSource) ?? [];
    this.published.delete(dataSource);
    return ids;
  }

  private addPublished(dataSource: DataSource, ids: string[]): void {
    if (ids.length > 0) this.published.set(dataSource, [...(this.published.get(dataSource) ?? []), ...ids]);
  }
}
