import { randomUUID } from 'node:crypto';
import {
  OrderCancelled,
  OrderConfirmed,
  OrderPlaced,
  OrderRejected,
  PaymentRefunded,
  ShipmentCreated,
  StockCommitted,
  StockReleased,
  StockReserved,
} from '@commerce/contracts';
import { createContextDataSource, migrateContext } from '@commerce/platform';
import { EVENT_CURSOR_COLUMNS, ProjectionDefinition, ProjectionRunner, projectionTablesMigration } from '@commerce/projections';
import { REPORTING_PROJECTIONS } from '@commerce/reporting';
import { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import { createScratchDatabase, ScratchDatabase } from '../../../test/support/postgres';
import { waitUntil } from '../../../test/support/wait-until';

class CreateBatchLog1700000000000 implements MigrationInterface {
  name = 'CreateBatchLog1700000000000';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE rep_batch.event (${EVENT_CURSOR_COLUMNS}, type text NOT NULL, data jsonb NOT NULL, recorded_at timestamptz NOT NULL)`);
    await q.query(`CREATE INDEX ON rep_batch.event (tx, position)`);
  }
  async down(): Promise<void> {}
}

/** A small deterministic generator, so a failure can be replayed. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface LoggedEvent {
  type: string;
  data: Record<string, unknown>;
  at: string;
}

/**
 * Events of a few orders in any order: outcomes before placements, shipments before outcomes,
 * refunds before and after confirmations, an order confirmed twice with other lines, lines in two
 * currencies, confirmations without lines, times around UTC midnight.
 */
function history(seed: number, count: number, refunds = true): LoggedEvent[] {
  const random = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
  const orders = Array.from({ length: 25 }, () => randomUUID());
  const products = Array.from({ length: 6 }, () => randomUUID());
  const lines = () =>
    Array.from({ length: 1 + Math.floor(random() * 3) }, () => ({
      productId: pick(products),
      quantity: 1 + Math.floor(random() * 4),
      unitPrice: { amount: Math.floor(random() * 5000), currency: pick(['EUR', 'USD']) },
    }));
  const money = () => ({ amount: 1 + Math.floor(random() * 9000), currency: pick(['EUR', 'USD']) });
  const start = Date.parse('2026-11-20T23:58:00Z');
  const events: LoggedEvent[] = [];
  for (let i = 0; i < count; i++) {
    const orderId = pick(orders);
    const customerId = pick(['c-1', 'c-2', 'c-3']);
    const at = new Date(start + Math.floor(random() * 4 * 60_000) + Math.floor(random() * 3) * 86_400_000).toISOString();
    let kind = Math.floor(random() * 10);
    if (kind === 5 && !refunds) kind = 1;
    const order = { orderId, customerId, email: 'c@example.com', total: money() };
    const event: Omit<LoggedEvent, 'at'> =
      kind === 0
        ? { type: OrderPlaced.type, data: { ...order, placedAt: at } }
        : kind === 1
          ? { type: OrderConfirmed.type, data: { ...order, lines: lines() } }
          : kind === 2
            ? { type: OrderConfirmed.type, data: random() < 0.5 ? order : { ...order, lines: [] } }
            : kind === 3
              ? { type: pick([OrderRejected.type, OrderCancelled.type]), data: order }
              : kind === 4
                ? { type: ShipmentCreated.type, data: { orderId, trackingNumber: `TRK-${i}` } }
                : kind === 5
                  ? { type: PaymentRefunded.type, data: { orderId, amount: money() } }
                  : {
                      type: pick([StockReserved.type, StockCommitted.type, StockReleased.type]),
                      data: { orderId, lines: lines().map(({ productId, quantity }) => ({ productId, quantity })) },
                    };
    events.push({ ...event, at });
  }
  return events;
}

const TABLES = {
  customer_orders: 'order_id',
  sales_daily: 'day, product_id, currency',
  sales_order: 'order_id',
  stock_movements: 'position, line',
};

describe('reporting projections written a batch at a time, on real Postgres', () => {
  let db: ScratchDatabase;
  let batched: DataSource;
  let each: DataSource;
  let batchRunner: ProjectionRunner;
  let eachRunner: ProjectionRunner;
  const batchSizes: number[] = [];

  const append = async (events: LoggedEvent[]) => {
    const inserted = (await batched.query(
      `INSERT INTO rep_batch.event (type, data, recorded_at) SELECT * FROM unnest($1::text[], $2::jsonb[], $3::timestamptz[]) RETURNING position::text`,
      [events.map((e) => e.type), events.map((e) => JSON.stringify(e.data)), events.map((e) => e.at)],
    )) as { position: string }[];
    // The first position of the statement (positions of one statement follow each other here).
    return inserted.map((r) => BigInt(r.position)).reduce((a, b) => (a < b ? a : b));
  };
  const drain = async (runner: ProjectionRunner) => {
    for (let i = 0; i < 5000 && (await runner.tick()) > 0; i++);
  };
  const caughtUp = async (runner: ProjectionRunner) => {
    await drain(runner);
    const status = await runner.status();
    return status.length === 3 && status.every((s) => s.state === 'running' && s.eventsBehind === 0);
  };
  const rows = (schema: string, table: keyof typeof TABLES) =>
    batched.query(`SELECT * FROM ${schema}.${table} ORDER BY ${TABLES[table]}`) as Promise<unknown[]>;

  beforeAll(async () => {
    db = await createScratchDatabase('commerce_it_reporting_batch');
    const batchDb = { context: 'rep_batch', migrations: [CreateBatchLog1700000000000, projectionTablesMigration('rep_batch')] };
    const eachDb = { context: 'rep_each', migrations: [projectionTablesMigration('rep_each')] };
    batched = createContextDataSource(batchDb, { url: db.url }, 2);
    each = createContextDataSource(eachDb, { url: db.url }, 2);
    await Promise.all([batched.initialize(), each.initialize()]);
    await migrateContext(batched, batchDb);
    await migrateContext(each, eachDb);
    // The reporting projections as they run, their batches measured...
    const measured: ProjectionDefinition[] = REPORTING_PROJECTIONS.map((d) => ({
      ...d,
      applyBatch: async (events, scope) => {
        batchSizes.push(events.length);
        await d.applyBatch!(events, scope);
      },
    }));
    batchRunner = new ProjectionRunner(batched, 'rep_batch', { table: 'rep_batch.event' }, measured, { batchSize: 500 });
    // ...and the reference: the same handlers without applyBatch, one event per transaction.
    const oneByOne = REPORTING_PROJECTIONS.map(({ name, tables, handlers }) => ({ name, tables, handlers }));
    eachRunner = new ProjectionRunner(each, 'rep_each', { table: 'rep_batch.event' }, oneByOne, { batchSize: 1 });
    await Promise.all([batchRunner.install(), eachRunner.install()]);
  });

  afterAll(async () => {
    await batched?.destroy();
    await each?.destroy();
    await db?.drop();
  });

  it('every projection has a batch writer', () => {
    expect(REPORTING_PROJECTIONS.every((d) => typeof d.applyBatch === 'function')).toBe(true);
  });

  it('batches of hundreds of events leave the same read models as the handlers event by event', async () => {
    const events = history(20261126, 900);
    // A few transactions, so the log holds several transaction ids.
    for (let i = 0; i < events.length; i += 300) await append(events.slice(i, i + 300));
    await waitUntil('the batched projections to catch up', () => caughtUp(batchRunner), 60_000);
    await waitUntil('the one-by-one projections to catch up', () => caughtUp(eachRunner), 120_000);
    expect(Math.max(...batchSizes)).toBeGreaterThan(100);
    for (const table of Object.keys(TABLES) as (keyof typeof TABLES)[]) {
      const expected = await rows('rep_each', table);
      expect(expected.length).toBeGreaterThan(0);
      expect({ table, rows: await rows('rep_batch', table) }).toEqual({ table, rows: expected });
    }
    const refunded = (await batched.query(`SELECT count(*)::int AS n FROM rep_batch.sales_daily WHERE refunds > 0`)) as { n: number }[];
    expect(refunded[0].n).toBeGreaterThan(0);
  });

  it('batches without refunds (claims and revenue in one statement) give the same read models too', async () => {
    // In four rounds, so orders claimed in one batch are confirmed again in the next.
    const events = history(42, 400, false);
    for (let i = 0; i < events.length; i += 100) {
      await append(events.slice(i, i + 100));
      await waitUntil('the batched projections to catch up', () => caughtUp(batchRunner), 60_000);
    }
    await waitUntil('the one-by-one projections to catch up', () => caughtUp(eachRunner), 120_000);
    for (const table of Object.keys(TABLES) as (keyof typeof TABLES)[]) {
      expect({ table, rows: await rows('rep_batch', table) }).toEqual({ table, rows: await rows('rep_each', table) });
    }
  });

  it('a failure mid-batch leaves that projection’s cursor and views as they were; the others go on; after the fix the result is the same', async () => {
    const before = (await batchRunner.status()).find((s) => s.name === 'stock_movements')!;
    const movementsBefore = await rows('rep_batch', 'stock_movements');
    const good = history(7, 40);
    const orderId = randomUUID();
    // One transaction: good events, one whose line names no product (NOT NULL refuses it), good events.
    const badPosition =
      (await append([...good.slice(0, 20), { type: StockCommitted.type, data: { orderId, lines: [{ quantity: 1 }] }, at: good[0].at }, ...good.slice(20)])) +
      20n;
    await waitUntil('stock_movements to stop on the bad event', async () => {
      await drain(batchRunner);
      return (await batchRunner.status()).some((s) => s.name === 'stock_movements' && s.state === 'failed');
    });
    const status = await batchRunner.status();
    const failed = status.find((s) => s.name === 'stock_movements')!;
    expect(failed).toMatchObject({ state: 'failed', position: before.position, applied: before.applied, failedPosition: String(badPosition) });
    expect(failed.reason).toMatch(/stock-committed.*product_id/);
    // Nothing of the batch reached the view: not the good events before the bad one either.
    expect(await rows('rep_batch', 'stock_movements')).toEqual(movementsBefore);
    expect(status.filter((s) => s.name !== 'stock_movements').every((s) => s.state === 'running' && s.eventsBehind === 0)).toBe(true);

    await batched.query(`UPDATE rep_batch.event SET data = jsonb_set(data, '{lines,0,productId}', to_jsonb($1::text)) WHERE position = $2`, [
      randomUUID(),
      String(badPosition),
    ]);
    expect(await batchRunner.retry('stock_movements')).toBe(1);
    await waitUntil('the batched projections to catch up', () => caughtUp(batchRunner), 60_000);
    await waitUntil('the one-by-one projections to catch up', () => caughtUp(eachRunner), 120_000);
    for (const table of Object.keys(TABLES) as (keyof typeof TABLES)[]) {
      expect({ table, rows: await rows('rep_batch', table) }).toEqual({ table, rows: await rows('rep_each', table) });
    }
  });
});
