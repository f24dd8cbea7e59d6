import { Inject, Injectable, Logger } from '@nestjs/common';
import { DatabaseRegistry, outsideAnyTrace } from '@commerce/platform';
import { DataSource } from 'typeorm';
import { MESSAGING_CONFIG, MessagingConfig } from '../messaging.config';
import { Transport, TRANSPORT } from '../transport/transport';
import { shipInTrace } from './outbox-tracing';
import { schemaOf } from './schema-of';

const BATCH = 200;

/** An outbox row as its writer knows it. */
export interface OutboxMessage {
  id: string;
  type: string;
  envelope: string;
}

/** A claimed outbox row. */
interface OutboxRow {
  id: string;
  type: string;
  envelope: string;
  created_at: Date;
}

/**
 * Ships each context's outbox to the transport: right after a commit, and on a periodic sweep.
 * A writer that knows the rows it committed hands them over (`shipCommitted`): they are published
 * at once, from memory, with no claim statement (ADR 32); a writer that does not kicks the relay,
 * which claims what is unsent. A batch is claimed in one statement (FOR UPDATE SKIP LOCKED, then a lease in
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
  /** Contexts whose next run is a sweep's: it claims only rows older than OUTBOX_SWEEP_AFTER_MS. */
  private readonly sweeping = new Set<DataSource>();
  /** Pending marks of handed-over rows, per context. */
  private readonly markTimers = new Map<DataSource, NodeJS.Timeout>();
  /** Ids published (confirmed) and not yet marked sent, per context. */
  private readonly published = new Map<DataSource, string[]>();
  /** Ids handed over by their writer and being published now: no claim takes them meanwhile. */
  private readonly handedOver = new Map<DataSource, Set<string>>();
  /** Direct shipments in progress, awaited by stop() before the last marks. */
  private readonly shipping = new Set<Promise<void>>();
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
    for (const timer of this.markTimers.values()) clearTimeout(timer);
    this.markTimers.clear();
    await Promise.allSettled([...this.running.values(), ...this.shipping]);
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

  /**
   * Publishes outbox rows their writer has just committed, in their order, without claiming them:
   * confirmed ones are marked sent within OUTBOX_MARK_MS (or by a claim that comes first); one the
   * transport refused goes back to the outbox, for the sweep to retry. Meanwhile no claim in this
   * process takes them, and other processes' sweeps leave rows younger than OUTBOX_SWEEP_AFTER_MS
   * alone (should one ship a row twice anyway, inboxes drop the repeat). With the relay off or
   * stopped, or the transport disconnected, the rows are left to a kick's claim.
   */
  shipCommitted(dataSource: DataSource, rows: readonly OutboxMessage[]): void {
    if (rows.length === 0) return;
    if (this.stopped || !this.transport.isConnected()) return this.kick(dataSource);
    const inFlight = this.handedOver.get(dataSource) ?? new Set<string>();
    this.handedOver.set(dataSource, inFlight);
    for (const row of rows) inFlight.add(row.id);
    const run = outsideAnyTrace(() => this.publishAll(dataSource, rows)).then(async ({ failed, reason }) => {
      for (const row of rows) inFlight.delete(row.id);
      this.scheduleMark(dataSource);
      if (failed.length === 0) return;
      this.logger.warn({ msg: 'publishing committed outbox rows failed; the sweep will retry', count: failed.length, err: String(reason) });
      await this.markPublished(dataSource, failed).catch(() => undefined);
    });
    this.track(run);
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
      for (const ds of this.sources()) {
        if (!this.running.has(ds)) this.sweeping.add(ds);
        this.kick(ds);
      }
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
    let minAgeMs = this.sweeping.delete(dataSource) ? this.config.OUTBOX_SWEEP_AFTER_MS : 0;
    do {
      this.again.delete(dataSource);
      while (!this.stopped && (await this.shipBatch(dataSource, minAgeMs)) === BATCH);
      minAgeMs = 0; // a kick came meanwhile: a writer's rows wait for it
      if (this.again.has(dataSource) && !this.stopped && this.config.OUTBOX_COALESCE_MS > 0) {
        await new Promise((resolve) => setTimeout(resolve, this.config.OUTBOX_COALESCE_MS));
      }
    } while (this.again.has(dataSource) && !this.stopped);
  }

  /** Claims a batch (marking the previous batches' rows sent in the same statement) and publishes it. */
  private async shipBatch(dataSource: DataSource, minAgeMs: number): Promise<number> {
    const done = this.takePublished(dataSource);
    let rows: OutboxRow[];
    try {
      rows = await this.claim(dataSource, done, minAgeMs);
    } catch (error) {
      this.addPublished(dataSource, done);
      throw error;
    }
    if (rows.length === 0) return 0;
    rows.sort((a, b) => a.created_at.getTime() - b.created_at.getTime());
    const { failed, reason } = await this.publishAll(dataSource, rows);
    if (failed.length > 0) {
      // Unconfirmed rows go back to the outbox at once (not when their lease ends), for the sweep to retry.
      await this.markPublished(dataSource, failed);
      throw reason;
    }
    return rows.length;
  }

  /** One statement: marks `done` sent and leases the next batch of unsent, unleased rows. */
  private async claim(dataSource: DataSource, done: string[], minAgeMs: number): Promise<OutboxRow[]> {
    const schema = schemaOf(dataSource);
    // TypeORM answers an UPDATE … RETURNING with [rows, affected].
    const inFlight = this.handedOver.get(dataSource);
    const [rows] = (await dataSource.query(
      `WITH sent AS (
         UPDATE ${schema}.outbox SET sent_at = clock_timestamp() WHERE id = ANY($1::uuid[])
       ), next AS (
         SELECT id FROM ${schema}.outbox
         WHERE sent_at IS NULL AND (claimed_until IS NULL OR claimed_until < clock_timestamp()) AND NOT (id = ANY($1::uuid[])) AND NOT (id = ANY($3::uuid[]))
           AND created_at <= clock_timestamp() - make_interval(secs => $4::float8 / 1000)
         ORDER BY created_at LIMIT ${BATCH} FOR UPDATE SKIP LOCKED
       )
       UPDATE ${schema}.outbox o SET claimed_until = clock_timestamp() + make_interval(secs => $2::float8 / 1000)
       FROM next WHERE o.id = next.id
       RETURNING o.id, o.type, o.envelope, o.created_at`,
      [done, this.config.OUTBOX_CLAIM_MS, inFlight?.size ? [...inFlight] : [], minAgeMs],
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

  /** Publishes rows in their order, each in its own trace; the confirmed join the ids to mark sent, the refused are returned. */
  private async publishAll(dataSource: DataSource, rows: readonly OutboxMessage[]): Promise<{ failed: string[]; reason?: unknown }> {
    const results = await Promise.allSettled(
      rows.map((row) => shipInTrace(this.transport.name, row.type, row.envelope, (raw) => this.transport.publish(row.type, raw))),
    );
    this.addPublished(
      dataSource,
      rows.filter((_, i) => results[i].status === 'fulfilled').map((r) => r.id),
    );
    const failed = rows.filter((_, i) => results[i].status === 'rejected').map((r) => r.id);
    return { failed, reason: (results.find((r) => r.status === 'rejected') as PromiseRejectedResult | undefined)?.reason };
  }

  /** Marks what was confirmed within OUTBOX_MARK_MS, in one statement, unless a claim (which marks too) runs first. */
  private scheduleMark(dataSource: DataSource): void {
    if (this.markTimers.has(dataSource) || this.stopped) return;
    const timer = setTimeout(() => {
      this.markTimers.delete(dataSource);
      // A run in progress may claim again (and mark them) or may be on its last batch: look again later.
      if (this.running.has(dataSource)) return this.scheduleMark(dataSource);
      this.track(
        this.markPublished(dataSource).catch((error: unknown) =>
          this.logger.warn({ msg: 'marking outbox rows sent failed; the next claim will', err: error instanceof Error ? error.message : String(error) }),
        ),
      );
    }, this.config.OUTBOX_MARK_MS);
    timer.unref();
    this.markTimers.set(dataSource, timer);
  }

  private track(run: Promise<void>): void {
    this.shipping.add(run);
    void run.finally(() => this.shipping.delete(run));
  }

  private takePublished(dataSource: DataSource): string[] {
    const ids = this.published.get(dataSource) ?? [];
    this.published.delete(dataSource);
    return ids;
  }

  private addPublished(dataSource: DataSource, ids: string[]): void {
    if (ids.length === 0) return;
    const pending = this.published.get(dataSource);
    if (pending) pending.push(...ids);
    else this.published.set(dataSource, ids);
  }
}
