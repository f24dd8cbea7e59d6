// npm run bench:order-cost: what one order costs the monolith in Postgres work, independent of how
// fast the machine is: writing transactions (transaction ids consumed), round trips (queries sent)
// and the transactions by shape, for orders placed one at a time and for orders placed by
// BENCH_CONCURRENCY clients at once (where batching can share a transaction). Prints figures.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { Client } from 'pg';
import { nextXid, placeConcurrently, placeOne, prepare, settle, withDatabase } from './support/order-driver';
import type { RoundTripCounts } from './support/pg-round-trips';
import { startApp, stop } from './support/processes';
import { printFigures, runBench } from './support/report';

const SEQUENTIAL = Number(process.env.BENCH_SEQUENTIAL_ORDERS ?? 40);
const ORDERS = Number(process.env.BENCH_ORDERS ?? 300);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 20);
const COUNTS = `/tmp/commerce-bench-round-trips-${process.pid}.json`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The app's counts once they are written after everything settled. */
async function counts(): Promise<RoundTripCounts> {
  await sleep(1200);
  return existsSync(COUNTS) ? (JSON.parse(readFileSync(COUNTS, 'utf8')) as RoundTripCounts) : { roundTrips: 0, shapes: {} };
}

/** Runs `place` and returns its cost per order: transaction ids, round trips and transaction shapes. */
async function measure(label: string, pg: Client, orders: number, place: () => Promise<string[]>): Promise<string[][]> {
  const before = await counts();
  const xidBefore = await nextXid(pg);
  const ids = await place();
  const { confirmed } = await settle(pg, ids);
  await sleep(500); // the outbox relay and subscribers finish after the order is final
  const xids = (await nextXid(pg)) - xidBefore - 1;
  const after = await counts();
  const per = (n: number) => (n / orders).toFixed(2);
  const rows = [
    [`${label}: orders`, `${confirmed}/${orders} confirmed`],
    [`${label}: writing transactions per order`, `${per(xids)} (transaction ids consumed, cluster-wide)`],
    [`${label}: round trips per order`, `${per(after.roundTrips - before.roundTrips)} (queries sent by the app, BEGIN and COMMIT included)`],
  ];
  const shapes = Object.entries(after.shapes)
    .map(([shape, n]) => [shape, n - (before.shapes[shape] ?? 0)] as const)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1]);
  for (const [shape, n] of shapes.slice(0, 25)) rows.push([`${label}:   ${per(n)} x`, shape]);
  return rows;
}

async function main(): Promise<void> {
  rmSync(COUNTS, { force: true });
  const rows = await withDatabase(async (url) => {
    const app = await startApp('monolith', {
      DATABASE_URL: url,
      SEED_DEMO_CATALOG: 'false',
      MAIL_DIR: '/tmp/commerce-bench-mail',
      NODE_OPTIONS: `--require ${resolve(__dirname, 'support/pg-round-trips.js')}`,
      PG_ROUND_TRIPS_FILE: COUNTS,
    });
    const pg = new Client({ connectionString: url });
    await pg.connect();
    try {
      const { customer, body } = await prepare(app.base);
      const one = await measure('one at a time', pg, SEQUENTIAL, async () => {
        const ids: string[] = [];
        for (let i = 0; i < SEQUENTIAL; i++) {
          const id = await placeOne(app.base, customer, body);
          if (id) ids.push(id);
          await settle(pg, id ? [id] : []);
        }
        return ids;
      });
      const many = await measure(`${CONCURRENCY} clients`, pg, ORDERS, () => placeConcurrently(app.base, customer, body, ORDERS, CONCURRENCY));
      return [...one, ...many];
    } finally {
      await pg.end();
      await stop(app.child);
      rmSync(COUNTS, { force: true });
    }
  });
  printFigures(`commerce-kit order cost (monolith, node ${process.version}, ${new Date().toISOString()})`, rows);
}

runBench(main);
