import type { EntityManager } from 'typeorm';
import { ProjectedEvent } from './projection';

/** A place in the log: events are read in (transaction id, position) order. */
export interface Checkpoint {
  tx: string;
  position: string;
}

/** The start of every log. */
export const ORIGIN: Checkpoint = { tx: '0', position: '0' };

interface EventRow {
  position: string;
  tx: string;
  type: string;
  data: Record<string, unknown>;
  recorded_at: Date;
}

/** One batch of events after `from`, with the checkpoint after its last event. */
export interface EventBatch {
  events: ProjectedEvent[];
  next: Checkpoint;
}

/**
 * Reads the next events after `from` in commit order. A sequence alone can be skipped: a
 * transaction that took position 7 and commits after position 8 was read would be missed. So events
 * are ordered by the writing transaction's id and read only below the oldest transaction still
 * running (`pg_snapshot_xmin`): every transaction below it has ended, and no new one can get an id
 * below it, so nothing can appear later behind the checkpoint. `through` also admits events up to
 * another checkpoint that is known to be complete (the live version's, when a rebuild catches up).
 */
export async function readEvents(m: EntityManager, source: string, from: Checkpoint, limit: number, through: Checkpoint = ORIGIN): Promise<EventBatch> {
  const rows = (await m.query(
    // Ordered by the table's columns (e.tx, e.position), not by the text columns selected under the same names.
    `SELECT e.position::text AS position, e.tx::text AS tx, e.type, e.data, e.recorded_at FROM ${source} e
      WHERE (e.tx, e.position) > ($1::xid8, $2::bigint)
        AND (e.tx < pg_snapshot_xmin(pg_current_snapshot()) OR (e.tx, e.position) <= ($3::xid8, $4::bigint))
      ORDER BY e.tx, e.position LIMIT $5`,
    [from.tx, from.position, through.tx, through.position, limit],
  )) as EventRow[];
  const last = rows[rows.length - 1];
  return {
    events: rows.map((r) => ({ position: r.position, type: r.type, data: r.data, recordedAt: new Date(r.recorded_at) })),
    next: last ? { tx: last.tx, position: last.position } : from,
  };
}

/** How many events lie after `from`, and the age in seconds of the oldest of them. */
export async function lagAfter(m: EntityManager, source: string, from: Checkpoint): Promise<{ events: number; seconds: number }> {
  const [row] = (await m.query(
    `SELECT count(*)::int AS events, COALESCE(EXTRACT(EPOCH FROM clock_timestamp() - min(recorded_at)), 0)::float AS seconds
       FROM ${source} WHERE (tx, position) > ($1::xid8, $2::bigint)`,
    [from.tx, from.position],
  )) as { events: number; seconds: number }[];
  return { events: row.events, seconds: Math.max(0, Math.round(row.seconds * 10) / 10) };
}
