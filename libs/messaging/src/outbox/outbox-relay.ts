import { Inject, Injectable, Logger } from '@nestjs/common';
import { DatabaseRegistry, outsideAnyTrace } from '@commerce/platform';
import { DataSource } from 'typeorm';
import { MESSAGING_CONFIG, MessagingConfig } from '../messaging.config';
import { Transport, TRANSPORT } from '../transport/transport';
import { shipInTrace } from './outbox-tracing';
import { schemaOf } from './schema-of';

const BATCH = 200;

/**
 * Ships each context's outbox to the transport: right after a commit (kick) and on a periodic
 * sweep. Rows are claimed with FOR UPDATE SKIP LOCKED, so relays in several processes never ship
 * the same row at the same time; a row is marked sent only after the broker confirmed it.
 */
@Injectable()
export class OutboxRelay {
  private readonly logger = new Logger(OutboxRelay.name);
  private readonly running = new Map<DataSource, Promise<void>>();
  private readonly again = new Set<DataSource>();
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
    this.sweepTimer = setInterval(() => this.sweep(), this.config.OUTBOX_POLL_MS);
    this.pruneTimer = setInterval(() => void this.prune(), 60 * 60 * 1000);
    this.sweepTimer.unref();
    this.pruneTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.sweepTimer);
    clearInterval(this.pruneTimer);
    await Promise.allSettled([...this.running.values()]);
  }

  /** Ships what one DataSource's outbox holds, now; coalesces with a run in progress. */
  kick(dataSource: DataSource): void {
    if (this.stopped) return;
    if (this.running.has(dataSource)) {
      this.again.add(dataSource);
      return;
    }
    // Whichever request's commit kicked the relay, the batch belongs to no trace (each row restores its own).
    const run = outsideAnyTrace(() => this.drain(dataSource))
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
    if (!this.transport.isConnected()) return;
    for (const ds of this.sources()) this.kick(ds);
  }

  private sources(): DataSource[] {
    return this.databases
      .all()
      .map((s) => s.dataSource)
      .filter((ds) => ds.isInitialized);
  }

  private async drain(dataSource: DataSource): Promise<void> {
    do {
      this.again.delete(dataSource);
      while (!this.stopped && (await this.shipBatch(dataSource)) === BATCH);
    } while (this.again.has(dataSource) && !this.stopped);
  }

  private shipBatch(dataSource: DataSource): Promise<number> {
    const schema = schemaOf(dataSource);
    return dataSource.transaction(async (manager) => {
      const rows = (await manager.query(
        `SELECT id, type, envelope FROM ${schema}.outbox WHERE sent_at IS NULL ORDER BY created_at LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`,
      )) as { id: string; type: string; envelope: string }[];
      if (rows.length === 0) return 0;
      await Promise.all(rows.map((row) => shipInTrace(this.transport.name, row.type, row.envelope, (raw) => this.transport.publish(row.type, raw))));
      await manager.query(`UPDATE ${schema}.outbox SET sent_at = clock_timestamp() WHERE id = ANY($1::uuid[])`, [rows.map((r) => r.id)]);
      return rows.length;
    });
  }
}
