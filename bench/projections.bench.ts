// npm run bench:projections: events per second a projection applies with its checkpoint
// committed in the same transaction, beside the raw read rate of the same event table with the
// same commit-order cursor in the same run, and the time to rebuild a projection over 100,000
// events beside the live one; the same projection again with its batch written by one statement
// (applyBatch). Real Postgres (TEST_POSTGRES_URL). Prints figures; asserts nothing.
import 'reflect-metadata';
import { createContextDataSource, migrateContext } from '@commerce/platform';
import { EVENT_CURSOR_COLUMNS, ORIGIN, ProjectionDefinition, ProjectionRunner, projectionTablesMigration, readEvents } from '@commerce/projections';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import { printFigures, runBench } from './support/report';

const ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const BATCH = Number(process.env.BENCH_BATCH ?? 500);

class CreateBenchLog1764000000000 implements MigrationInterface {
  name = 'CreateBenchLog1764000000000';
  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE bench.event (${EVENT_CURSOR_COLUMNS}, type text NOT NULL, data jsonb NOT NULL, recorded_at timestamptz NOT NULL DEFAULT clock_timestamp())`,
    );
    await q.query(`CREATE INDEX ON bench.event (tx, position)`);
  }
  async down(): Promise<void> {}
}
const database = { context: 'bench', migrations: [CreateBenchLog1764000000000, projectionTablesMigration('bench')] };

/** Units and revenue per product: one upsert per event, like the reporting sales projection. */
const sales: ProjectionDefinition = {
  name: 'sales',
  tables: [{ name: 'sales', create: (t) => [`CREATE TABLE ${t} (product int PRIMARY KEY, units bigint NOT NULL, revenue bigint NOT NULL)`] }],
  handlers: {
    sold: async (e, { manager, table }) => {
      await manager.query(
        `INSERT INTO ${table('sales')} (product, units, revenue) VALUES ($1, $2, $3)
           ON CONFLICT (product) DO UPDATE SET units = ${table('sales')}.units + EXCLUDED.units, revenue = ${table('sales')}.revenue + EXCLUDED.revenue`,
        [e.data.product, e.data.units, e.data.amount],
      );
    },
  },
};
/** The same model, each batch written by one statement (summed per product first). */
const salesBatched: ProjectionDefinition = {
  name: 'sales_batched',
  tables: [{ name: 'sales_batched', create: (t) => [`CREATE TABLE ${t} (product int PRIMARY KEY, units bigint NOT NULL, revenue bigint NOT NULL)`] }],
  handlers: sales.handlers,
  applyBatch: async (events, { manager, table }) => {
    const t = table('sales_batched');
    await manager.query(
      `INSERT INTO ${t} (product, units, revenue)
       SELECT product, sum(units), sum(amount) FROM unnest($1::int[], $2::bigint[], $3::bigint[]) AS e(product, units, amount) GROUP BY product
       ON CONFLICT (product) DO UPDATE SET units = ${t}.units + EXCLUDED.units, revenue = ${t}.revenue + EXCLUDED.revenue`,
      [events.map((e) => e.data.product), events.map((e) => e.data.units), events.map((e) => e.data.amount)],
    );
  },
};
/** Reads and checkpoints every event but writes nothing: the runtime's own cost. */
const checkpointOnly: ProjectionDefinition = { name: 'checkpoint_only', tables: [], handlers: { sold: async () => undefined } };

async function seed(ds: DataSource): Promise<void> {
  // Ten transactions, so the log holds several transaction ids as a real one does.
  const per = Math.ceil(EVENTS / 10);
  for (let from = 0; from < EVENTS; from += per) {
    await ds.query(
      `INSERT INTO bench.event (type, data) SELECT 'sold', jsonb_build_object('product', g % 50, 'units', 1 + g % 3, 'amount', 100 * (1 + g % 3))
         FROM generate_series($1::int, $2::int) g`,
      [from, Math.min(from + per, EVENTS) - 1],
    );
  }
}

async function rawRead(ds: DataSource): Promise<number> {
  const started = performance.now();
  let from = ORIGIN;
  let read = 0;
  for (;;) {
    const batch = await ds.transaction((m) => readEvents(m, 'bench.event', from, BATCH));
    if (batch.events.length === 0) break;
    read += batch.events.length;
    from = batch.next;
  }
  if (read !== EVENTS) throw new Error(`read ${read} of ${EVENTS} events`);
  return read / ((performance.now() - started) / 1000);
}

async function drain(ds: DataSource, runner: ProjectionRunner, name: string, version: number): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < 1_000_000; i++) {
    if ((await runner.step(name, version)) > 0) continue;
    const [row] = (await ds.query(`SELECT live FROM bench.projection WHERE name = $1 AND version = $2`, [name, version])) as { live: boolean }[];
    if (row?.live) break;
  }
  const seconds = (performance.now() - started) / 1000;
  const status = (await runner.status()).find((s) => s.name === name && s.version === version);
  if (!status?.live || status.eventsBehind !== 0 || status.applied !== EVENTS) throw new Error(`${name} v${version} did not finish: ${JSON.stringify(status)}`);
  return seconds;
}

async function main(): Promise<void> {
  const dbName = `commerce_bench_projections_${randomBytes(3).toString('hex')}`;
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${dbName}"`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${dbName}`;
  const ds = createContextDataSource(database, { url: url.toString() }, 4);
  const rows: string[][] = [];
  try {
    await ds.initialize();
    await migrateContext(ds, database);
    await seed(ds);
    await ds.query(`ANALYZE bench.event`);
    // The cursor reads only below the oldest open transaction on the whole server: wait until
    // every seeding transaction is below it, so no figure includes another session's open transaction.
    const deadline = Date.now() + 300_000;
    for (;;) {
      const [{ visible }] = (await ds.query(`SELECT pg_snapshot_xmin(pg_current_snapshot()) > (SELECT max(tx) FROM bench.event) AS visible`)) as {
        visible: boolean;
      }[];
      if (visible) break;
      if (Date.now() > deadline) throw new Error('a transaction on the server stayed open for 5 minutes; the cursor cannot pass it');
      await new Promise((r) => setTimeout(r, 200));
    }
    const runner = new ProjectionRunner(ds, 'bench', { table: 'bench.event' }, [sales, salesBatched, checkpointOnly], { batchSize: BATCH });
    await runner.install();

    const raw = await rawRead(ds);
    rows.push([`baseline: raw event-store read, commit-order cursor`, `${Math.round(raw)} events/s (${EVENTS} events, ${BATCH} per read)`]);
    const bare = await drain(ds, runner, 'checkpoint_only', 1);
    rows.push([`projection, no-op handler + checkpoint`, `${Math.round(EVENTS / bare)} events/s (${BATCH} events per transaction)`]);
    const live = await drain(ds, runner, 'sales', 1);
    rows.push([
      `projection, one upsert per event + checkpoint`,
      `${Math.round(EVENTS / live)} events/s (${(raw / (EVENTS / live)).toFixed(1)}x slower than the raw read)`,
    ]);
    const batched = await drain(ds, runner, 'sales_batched', 1);
    rows.push([
      `projection, one upsert per batch (applyBatch) + checkpoint`,
      `${Math.round(EVENTS / batched)} events/s (${(raw / (EVENTS / batched)).toFixed(1)}x slower than the raw read)`,
    ]);
    const version = await runner.rebuild('sales');
    const rebuilt = await drain(ds, runner, 'sales', version);
    const [{ units }] = (await ds.query(`SELECT sum(units)::int AS units FROM bench.sales`)) as { units: number }[];
    const [{ expected }] = (await ds.query(`SELECT sum((data->>'units')::int)::int AS expected FROM bench.event`)) as { expected: number }[];
    if (units !== expected) throw new Error(`rebuilt model has ${units} units, the log ${expected}`);
    rows.push([`rebuild of ${EVENTS} events beside the live model`, `${rebuilt.toFixed(1)} s to version ${version} live (readers switched; totals checked)`]);
    const batchedVersion = await runner.rebuild('sales_batched');
    const rebuiltBatched = await drain(ds, runner, 'sales_batched', batchedVersion);
    const [{ batchedUnits }] = (await ds.query(`SELECT sum(units)::int AS "batchedUnits" FROM bench.sales_batched`)) as { batchedUnits: number }[];
    if (batchedUnits !== expected) throw new Error(`rebuilt batched model has ${batchedUnits} units, the log ${expected}`);
    rows.push([
      `rebuild of ${EVENTS} events, applyBatch`,
      `${rebuiltBatched.toFixed(1)} s to version ${batchedVersion} live (readers switched; totals checked)`,
    ]);
  } finally {
    await ds.destroy().catch(() => undefined);
    await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    await admin.end();
  }
  printFigures(`commerce-kit projections bench (node ${process.version})`, rows);
}

runBench(main);
