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

/** One live version claimed for a round: its checkpoint before the round and the events after it. */
export interface ClaimedVersion {
  name: string;
  version: number;
  from: Checkpoint;
  events: ProjectedEvent[];
}

/** What one round claimed: the live versions it holds, and the versions being rebuilt (not held). */
export interface LiveClaim {
  versions: ClaimedVersion[];
  rebuilding: { name: string; version: number }[];
}

interface ClaimRow {
  kind: 'c' | 'e' | 'r';
  name: string | null;
  version: number | null;
  from_tx: string | null;
  from_position: string | null;
  tx: string | null;
  position: string | null;
  type: string | null;
  data: Record<string, unknown> | null;
  recorded_at: Date | null;
}

/**
 * One statement for the start of a round over every live version of `names`: locks their
 * checkpoint rows (SKIP LOCKED: another instance keeps the ones it holds), reads the next `limit`
 * events after each distinct checkpoint with the commit-order cursor of `readEvents` (live
 * versions usually share one, so the events are read once), and moves each checkpoint past the
 * events it is handed. It must run in the transaction that then writes those events to the read
 * models: a failure before the commit undoes the move with the writes. Also lists the versions
 * being rebuilt, which run on their own (`ProjectionRunner.step`).
 */
export async function claimLive(m: EntityManager, schema: string, source: string, names: string[], limit: number): Promise<LiveClaim> {
  const rows = (await m.query(
    `WITH cp AS MATERIALIZED (
       SELECT name, version, tx, position FROM ${schema}.projection
        WHERE live AND state = 'running' AND name = ANY($1::text[]) FOR UPDATE SKIP LOCKED
     ), starts AS (
       SELECT DISTINCT tx, position FROM cp
     ), ev AS MATERIALIZED (
       SELECT s.tx AS from_tx, s.position AS from_position, e.tx, e.position, e.type, e.data, e.recorded_at
         FROM starts s CROSS JOIN LATERAL (
           SELECT e.tx, e.position, e.type, e.data, e.recorded_at FROM ${source} e
            WHERE (e.tx, e.position) > (s.tx, s.position) AND e.tx < pg_snapshot_xmin(pg_current_snapshot())
            ORDER BY e.tx, e.position LIMIT $2) e
     ), ends AS (
       SELECT DISTINCT ON (from_tx, from_position) from_tx, from_position, tx, position, count(*) OVER (PARTITION BY from_tx, from_position) AS n
         FROM ev ORDER BY from_tx, from_position, tx DESC, position DESC
     ), moved AS (
       UPDATE ${schema}.projection p SET tx = ends.tx, position = ends.position, applied = p.applied + ends.n, updated_at = clock_timestamp()
         FROM cp JOIN ends ON ends.from_tx = cp.tx AND ends.from_position = cp.position
        WHERE p.name = cp.name AND p.version = cp.version
     )
     SELECT 'c' AS kind, name, version, tx::text AS from_tx, position::text AS from_position, NULL::text AS tx, NULL::text AS position,
            NULL::text AS type, NULL::jsonb AS data, NULL::timestamptz AS recorded_at, NULL::xid8 AS o_from_tx, NULL::bigint AS o_from_position,
            NULL::xid8 AS o_tx, NULL::bigint AS o_position FROM cp
     UNION ALL
     SELECT 'r', name, version, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM ${schema}.projection
      WHERE NOT live AND state <> 'failed' AND name = ANY($1::text[])
     UNION ALL
     SELECT 'e', NULL, NULL, from_tx::text, from_position::text, tx::text, position::text, type, data, recorded_at, from_tx, from_position, tx, position FROM ev
     -- Each start's events in commit order, compared as xid8 and bigint (not as text: 9 < 10).
     ORDER BY kind, o_from_tx, o_from_position, o_tx, o_position`,
    [names, limit],
  )) as ClaimRow[];
  const byStart = new Map<string, ProjectedEvent[]>();
  const versions: ClaimedVersion[] = [];
  const rebuilding: { name: string; version: number }[] = [];
  for (const r of rows) {
    if (r.kind === 'r') rebuilding.push({ name: r.name!, version: r.version! });
    if (r.kind === 'c') versions.push({ name: r.name!, version: r.version!, from: { tx: r.from_tx!, position: r.from_position! }, events: [] });
    if (r.kind !== 'e') continue;
    const key = `${r.from_tx} ${r.from_position}`;
    let events = byStart.get(key);
    if (!events) byStart.set(key, (events = []));
    events.push({ position: r.position!, type: r.type!, data: r.data!, recordedAt: new Date(r.recorded_at!) });
  }
  for (const v of versions) v.events = byStart.get(`${v.from.tx} ${v.from.position}`) ?? [];
  return { versions: versions.sort((a, b) => a.name.localeCompare(b.name)), rebuilding };
}
