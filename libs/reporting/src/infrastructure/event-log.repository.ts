import { Envelope } from '@commerce/contracts';
import { DataSource } from 'typeorm';

/** One event to keep, claimed in the inbox under the handler that received it. */
export interface EventToLog {
  envelope: Envelope;
  handler: string;
}

/**
 * Writes events to reporting's log with their inbox claims, many in one statement (one round trip,
 * one transaction): an event is logged only when its (message, handler) claim is new, so a
 * redelivery has no second effect. Returns, per event, whether it was new.
 */
export async function logEvents(dataSource: DataSource, events: EventToLog[]): Promise<boolean[]> {
  const claimed = (await dataSource.query(
    `WITH input AS (
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::timestamptz[]) AS t(message_id, handler, type, data, recorded_at)
     ), claimed AS (
       INSERT INTO reporting.inbox (message_id, handler) SELECT DISTINCT message_id, handler FROM input
       ON CONFLICT DO NOTHING RETURNING message_id, handler
     ), logged AS (
       INSERT INTO reporting.event_log (message_id, type, data, recorded_at)
       SELECT DISTINCT ON (i.message_id) i.message_id, i.type, i.data::jsonb, i.recorded_at
       FROM input i JOIN claimed c ON c.message_id = i.message_id AND c.handler = i.handler
       ON CONFLICT (message_id) DO NOTHING
     )
     SELECT message_id, handler FROM claimed`,
    [
      events.map((e) => e.envelope.id),
      events.map((e) => e.handler),
      events.map((e) => e.envelope.type),
      events.map((e) => JSON.stringify(e.envelope.payload)),
      events.map((e) => e.envelope.timestamp),
    ],
  )) as { message_id: string; handler: string }[];
  const fresh = new Set(claimed.map((r) => `${r.message_id} ${r.handler}`));
  // A message delivered twice within one statement is new for its first delivery only.
  return events.map((e) => fresh.delete(`${e.envelope.id} ${e.handler}`));
}
