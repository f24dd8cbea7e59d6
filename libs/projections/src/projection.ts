import type { EntityManager } from 'typeorm';

/** One event as a projection sees it: its place in the log, its type and its data. */
export interface ProjectedEvent {
  position: string;
  type: string;
  data: Record<string, unknown>;
  recordedAt: Date;
}

/** What a handler writes with: the transaction and the table names of the version being built. */
export interface ProjectionScope {
  manager: EntityManager;
  /** The physical table behind a logical read-model table, for the version this handler writes. */
  table(name: string): string;
}

/** Applies one event to the read model; throwing stops the projection (state failed, reason kept). */
export type ProjectionHandler = (event: ProjectedEvent, scope: ProjectionScope) => Promise<void>;

/** A read-model table: readers query the view `<schema>.<name>`; each version has its own table. */
export interface ProjectionTable {
  name: string;
  /** Statements creating the table (and its indexes) under the given qualified name. */
  create(table: string): string[];
}

/**
 * Applies many events at once (those of the types in `handlers`, in log order, never empty): it
 * must leave the read model exactly as the handlers would, one event after the other. Throwing
 * rolls the batch back; the runner then replays it event by event to find the event at fault.
 */
export type ProjectionBatchHandler = (events: ProjectedEvent[], scope: ProjectionScope) => Promise<void>;

/**
 * A projection: its tables and one handler per event type it reads; other types are skipped.
 * `applyBatch`, when given, writes a whole batch in a few statements instead of one per event;
 * the handlers stay the reference (and the path that names a failing event).
 */
export interface ProjectionDefinition {
  name: string;
  tables: ProjectionTable[];
  handlers: Record<string, ProjectionHandler>;
  applyBatch?: ProjectionBatchHandler;
}

/** Where a projection reads: a table with `position`, `tx xid8`, `type`, `data`, `recorded_at`. */
export interface EventSource {
  /** Schema-qualified table name, fixed in code. */
  table: string;
}

/** A projection's state: running live, building a new version, or stopped on an event. */
export type ProjectionState = 'running' | 'rebuilding' | 'failed';

/** How far one version of a projection is, and how far behind. */
export interface ProjectionStatus {
  name: string;
  version: number;
  live: boolean;
  state: ProjectionState;
  position: string;
  applied: number;
  eventsBehind: number;
  secondsBehind: number;
  reason?: string;
  failedPosition?: string;
  updatedAt: string;
}

const IDENTIFIER = /^[a-z][a-z0-9_]*$/;

/** Refuses names that are not plain identifiers (they end up in SQL as identifiers). */
export function assertIdentifier(kind: string, name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`Invalid ${kind} name "${name}"`);
  return name;
}
