import { Logger } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { Checkpoint, claimLive, lagAfter, readEvents } from './event-cursor';
import { assertIdentifier, EventSource, ProjectedEvent, ProjectionDefinition, ProjectionScope, ProjectionState, ProjectionStatus } from './projection';
import { createVersion, dropVersion, switchReaders } from './projection-versions';

interface CheckpointRow {
  name: string;
  version: number;
  live: boolean;
  state: ProjectionState;
  tx: string;
  position: string;
  applied: string;
  reason: string | null;
  failed_position: string | null;
  updated_at: Date;
}

/** Tuning of a runner. */
export interface ProjectionRunnerOptions {
  batchSize?: number;
}

/** Raised by a handler failure, naming the event that stopped the projection. */
class ProjectionEventError extends Error {
  constructor(
    readonly position: string,
    readonly type: string,
    cause: unknown,
  ) {
    super(`event ${position} (${type}): ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

/** Raised when a projection's `applyBatch` fails: the batch is replayed event by event. */
class ProjectionBatchError extends Error {
  constructor(
    readonly projection: string,
    cause: unknown,
  ) {
    super(`batch of ${projection}: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

/**
 * Runs the projections of one schema over one event source. Each batch locks the version's
 * checkpoint row (SKIP LOCKED, so instances share the work and never apply an event twice),
 * applies the events and moves the checkpoint in the same transaction.
 */
export class ProjectionRunner {
  private readonly logger = new Logger(ProjectionRunner.name);
  private readonly batchSize: number;
  private readonly byName: Map<string, ProjectionDefinition>;
  private full = false;

  constructor(
    private readonly dataSource: DataSource,
    readonly schema: string,
    private readonly source: EventSource,
    definitions: ProjectionDefinition[],
    options: ProjectionRunnerOptions = {},
  ) {
    assertIdentifier('schema', schema);
    definitions.forEach((d) => assertIdentifier('projection', d.name));
    this.byName = new Map(definitions.map((d) => [d.name, d]));
    this.batchSize = options.batchSize ?? 500;
  }

  /**
   * Whether the last round handed some version a full batch, so more events may be ready at once.
   * A round that applied fewer took every event below the read horizon: the next events come with
   * a kick (a new event stored) or the next poll, not from running again at once.
   */
  get hadFullBatch(): boolean {
    return this.full;
  }

  names(): string[] {
    return [...this.byName.keys()];
  }

  /** Creates version 1 of every projection that has none yet (tables, reader views, checkpoint). */
  async install(): Promise<void> {
    for (const definition of this.byName.values()) {
      await this.dataSource.transaction(async (m) => {
        await m.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`projection:${this.schema}.${definition.name}`]);
        const [existing] = (await m.query(`SELECT 1 FROM ${this.schema}.projection WHERE name = $1 LIMIT 1`, [definition.name])) as unknown[];
        if (existing) return;
        await createVersion(m, this.schema, definition, 1);
        await switchReaders(m, this.schema, definition, 1);
        await m.query(`INSERT INTO ${this.schema}.projection (name, version, live, state) VALUES ($1, 1, true, 'running')`, [definition.name]);
      });
    }
  }

  /**
   * One round over every active version; returns how many events were applied. The live versions
   * go together in one transaction: one statement locks their checkpoints, reads the events and
   * moves the checkpoints, then each projection writes its events (a few statements per batch
   * with `applyBatch`), and one commit covers them all. Versions being rebuilt follow, each on its
   * own (`step`). If a projection fails in the shared transaction, everything it did rolls back
   * and every version runs on its own instead, so only the failing one stops.
   */
  async tick(): Promise<number> {
    let round: { applied: number; rebuilding: { name: string; version: number }[]; full: boolean };
    try {
      round = await this.dataSource.transaction(async (m) => {
        const claim = await claimLive(m, this.schema, this.source.table, this.names(), this.batchSize);
        let applied = 0;
        for (const v of claim.versions) {
          await this.apply(m, this.byName.get(v.name)!, v.version, v.events, true);
          applied += v.events.length;
        }
        return { applied, rebuilding: claim.rebuilding, full: claim.versions.some((v) => v.events.length >= this.batchSize) };
      });
    } catch (error) {
      if (!(error instanceof ProjectionEventError || error instanceof ProjectionBatchError)) throw error;
      this.logger.warn({ msg: 'projection round failed together; running each projection on its own', schema: this.schema, reason: error.message });
      return this.tickEach();
    }
    return this.stepEach(round.rebuilding, round.applied, round.full);
  }

  /** A round with each version in its own transaction (after a failure in a shared one). */
  private async tickEach(): Promise<number> {
    const rows = (await this.dataSource.query(`SELECT name, version FROM ${this.schema}.projection WHERE state <> 'failed' ORDER BY name, version`)) as Pick<
      CheckpointRow,
      'name' | 'version'
    >[];
    return this.stepEach(rows, 0, false);
  }

  /** Steps each version (one transaction each) after a round's `applied` events; records whether any batch was full. */
  private async stepEach(versions: { name: string; version: number }[], applied: number, full: boolean): Promise<number> {
    for (const v of versions) {
      if (!this.byName.has(v.name)) continue;
      const n = await this.step(v.name, v.version);
      applied += n;
      full ||= n >= this.batchSize;
    }
    this.full = full;
    return applied;
  }

  /**
   * Applies one batch to one version in its own transaction; a rebuilt version that has caught up
   * takes over the readers. If the projection's `applyBatch` fails, the batch is rolled back and
   * applied again event by event, which either succeeds or stops the version at the failing event.
   */
  async step(name: string, version: number, oneByOne = false): Promise<number> {
    const definition = this.byName.get(name)!;
    try {
      return await this.dataSource.transaction(async (m) => {
        const [row] = (await m.query(
          `SELECT name, version, live, state, tx::text AS tx, position::text AS position FROM ${this.schema}.projection
            WHERE name = $1 AND version = $2 AND state <> 'failed' FOR UPDATE SKIP LOCKED`,
          [name, version],
        )) as CheckpointRow[];
        if (!row) return 0; // another instance holds it, or it failed or was replaced meanwhile
        let applied = await this.applyNext(m, definition, row, row, undefined, !oneByOne);
        if (!row.live && applied < this.batchSize) applied += await this.takeOver(m, definition, row, !oneByOne);
        return applied;
      });
    } catch (error) {
      if (error instanceof ProjectionBatchError && !oneByOne) {
        this.logger.warn({ msg: 'projection batch failed; applying it event by event', projection: name, version, reason: error.message });
        return this.step(name, version, true);
      }
      if (!(error instanceof ProjectionEventError)) throw error;
      await this.fail(name, version, error);
      return 0;
    }
  }

  /** Writes events to one version's tables: with its `applyBatch` when `batched`, else handler by handler. */
  private async apply(m: EntityManager, definition: ProjectionDefinition, version: number, events: ProjectedEvent[], batched: boolean): Promise<void> {
    const relevant = events.filter((e) => definition.handlers[e.type] !== undefined);
    if (relevant.length === 0) return;
    const scope: ProjectionScope = { manager: m, table: (t) => `${this.schema}.${assertIdentifier('table', t)}_v${version}` };
    if (batched && definition.applyBatch) {
      try {
        await definition.applyBatch(relevant, scope);
      } catch (error) {
        throw new ProjectionBatchError(definition.name, error);
      }
      return;
    }
    for (const event of relevant) {
      try {
        await definition.handlers[event.type](event, scope);
      } catch (error) {
        throw new ProjectionEventError(event.position, event.type, error);
      }
    }
  }

  /** Reads the next batch of one version in `step` (up to `through` while taking over), writes it and moves its checkpoint. */
  private async applyNext(
    m: EntityManager,
    definition: ProjectionDefinition,
    row: CheckpointRow,
    from: Checkpoint,
    through: Checkpoint | undefined,
    batched: boolean,
  ): Promise<number> {
    const batch = await readEvents(m, this.source.table, from, this.batchSize, through);
    if (batch.events.length === 0) return 0;
    await this.apply(m, definition, row.version, batch.events, batched);
    await m.query(
      `UPDATE ${this.schema}.projection SET tx = $3::xid8, position = $4, applied = applied + $5, updated_at = clock_timestamp() WHERE name = $1 AND version = $2`,
      [row.name, row.version, batch.next.tx, batch.next.position, batch.events.length],
    );
    row.tx = batch.next.tx;
    row.position = batch.next.position;
    return batch.events.length;
  }

  /**
   * Switches readers to a rebuilt version in one transaction: with the live checkpoint locked,
   * the new version catches up to at least the live one, the views are pointed at it and the old
   * tables dropped. A reader sees the old model or the new one, never a missing or partial one.
   */
  private async takeOver(m: EntityManager, definition: ProjectionDefinition, row: CheckpointRow, batched: boolean): Promise<number> {
    const [live] = (await m.query(
      `SELECT version, tx::text AS tx, position::text AS position FROM ${this.schema}.projection WHERE name = $1 AND live FOR UPDATE`,
      [definition.name],
    )) as CheckpointRow[];
    let applied = 0;
    let n: number;
    do {
      n = await this.applyNext(m, definition, row, row, live, batched);
      applied += n;
    } while (n === this.batchSize);
    await switchReaders(m, this.schema, definition, row.version);
    if (live) {
      await m.query(`DELETE FROM ${this.schema}.projection WHERE name = $1 AND version = $2`, [definition.name, live.version]);
      await dropVersion(m, this.schema, definition, live.version);
    }
    await m.query(`UPDATE ${this.schema}.projection SET live = true, state = 'running', updated_at = clock_timestamp() WHERE name = $1 AND version = $2`, [
      definition.name,
      row.version,
    ]);
    this.logger.log({ msg: 'projection rebuilt; readers switched', projection: definition.name, version: row.version, replaced: live?.version });
    return applied;
  }

  private async fail(name: string, version: number, error: ProjectionEventError): Promise<void> {
    this.logger.error({ msg: 'projection stopped on an event', projection: name, version, position: error.position, reason: error.message });
    await this.dataSource.query(
      `UPDATE ${this.schema}.projection SET state = 'failed', reason = $3, failed_position = $4, updated_at = clock_timestamp() WHERE name = $1 AND version = $2`,
      [name, version, error.message.slice(0, 2000), error.position],
    );
  }

  /** Resumes failed versions of a projection from their checkpoint (after the cause was fixed). */
  async retry(name: string): Promise<number> {
    this.known(name);
    const rows = (await this.dataSource.query(
      `UPDATE ${this.schema}.projection SET state = CASE WHEN live THEN 'running' ELSE 'rebuilding' END, reason = NULL, failed_position = NULL,
         updated_at = clock_timestamp() WHERE name = $1 AND state = 'failed' RETURNING version`,
      [name],
    )) as [unknown[], number] | unknown[];
    return Array.isArray(rows[0]) ? (rows[0] as unknown[]).length : rows.length;
  }

  /** Starts building a new version from the start of the log; the live one keeps serving meanwhile. */
  async rebuild(name: string): Promise<number> {
    const definition = this.known(name);
    return this.dataSource.transaction(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`projection:${this.schema}.${name}`]);
      const [building] = (await m.query(`SELECT version FROM ${this.schema}.projection WHERE name = $1 AND NOT live`, [name])) as { version: number }[];
      if (building) return building.version;
      const [{ next }] = (await m.query(`SELECT COALESCE(max(version), 0) + 1 AS next FROM ${this.schema}.projection WHERE name = $1`, [name])) as {
        next: number;
      }[];
      await createVersion(m, this.schema, definition, next);
      await m.query(`INSERT INTO ${this.schema}.projection (name, version, live, state) VALUES ($1, $2, false, 'rebuilding')`, [name, next]);
      return next;
    });
  }

  /** Every version's position, lag and state. */
  async status(): Promise<ProjectionStatus[]> {
    const rows = (await this.dataSource.query(
      `SELECT name, version, live, state, tx::text AS tx, position::text AS position, applied::text AS applied, reason,
              failed_position::text AS failed_position, updated_at FROM ${this.schema}.projection ORDER BY name, version`,
    )) as CheckpointRow[];
    const result: ProjectionStatus[] = [];
    for (const r of rows.filter((row) => this.byName.has(row.name))) {
      const lag = await lagAfter(this.dataSource.manager, this.source.table, r);
      result.push({
        name: r.name,
        version: r.version,
        live: r.live,
        state: r.state,
        position: r.position,
        applied: Number(r.applied),
        eventsBehind: lag.events,
        secondsBehind: lag.seconds,
        ...(r.reason ? { reason: r.reason } : {}),
        ...(r.failed_position ? { failedPosition: r.failed_position } : {}),
        updatedAt: new Date(r.updated_at).toISOString(),
      });
    }
    return result;
  }

  private known(name: string): ProjectionDefinition {
    const definition = this.byName.get(name);
    if (!definition) throw new UnknownProjectionError(name);
    return definition;
  }
}

/** Asked for a projection this runner does not have. */
export class UnknownProjectionError extends Error {
  readonly code = 'PROJECTIONS.UNKNOWN';
  constructor(name: string) {
    super(`No projection named "${name}"`);
  }
}
