// Preloaded into a benchmarked app (NODE_OPTIONS=--require): counts every query this process sends
// to Postgres (each is one round trip) and the shape of each transaction, and writes the counts to
// PG_ROUND_TRIPS_FILE twice a second. Measurement only; it changes no query.
import { renameSync, writeFileSync } from 'node:fs';
import { Client } from 'pg';

/** What the file holds: round trips in all, and how often each transaction shape committed. */
export interface RoundTripCounts {
  roundTrips: number;
  shapes: Record<string, number>;
}

const file = process.env.PG_ROUND_TRIPS_FILE;
const counts: RoundTripCounts = { roundTrips: 0, shapes: {} };
const open = new WeakMap<object, string[]>();

/** A statement as its verb and first table ("INSERT ordering.order_event"), enough to tell transactions apart. */
function shapeOf(text: string): string {
  const verb = text.trimStart().split(/\s+/)[0].toUpperCase();
  const table = /(?:INSERT INTO|UPDATE|DELETE FROM|FROM)\s+([a-z_]+\.[a-z_]+)/i.exec(text)?.[1] ?? '';
  return `${verb} ${table}`.trim();
}

const count = (shape: string) => (counts.shapes[shape] = (counts.shapes[shape] ?? 0) + 1);

if (file) {
  const query = Client.prototype.query as (...args: unknown[]) => unknown;
  Client.prototype.query = function (this: object, ...args: unknown[]) {
    const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string } | undefined)?.text;
    if (typeof text === 'string') {
      counts.roundTrips++;
      const shape = shapeOf(text);
      if (shape === 'BEGIN' || shape.startsWith('START')) open.set(this, []);
      else if (shape === 'COMMIT' || shape === 'ROLLBACK') {
        count(`${shape === 'COMMIT' ? 'tx' : 'rolled back'}: ${(open.get(this) ?? []).join(' | ')}`);
        open.delete(this);
      } else if (open.has(this)) open.get(this)!.push(shape);
      else count(`auto: ${shape}`);
    }
    return query.apply(this, args);
  } as typeof Client.prototype.query;
  // Written aside and renamed into place, so the bench never reads a half-written file.
  setInterval(() => {
    writeFileSync(`${file}.tmp`, JSON.stringify(counts));
    renameSync(`${file}.tmp`, file);
  }, 500).unref();
}
