// npm run bench:orders: for the monolith (in process, real Postgres) and the split topology over
// RabbitMQ: the saturating rate (orders per second to a final state, closed loop), the cost per
// order (CPU seconds of the Node processes and of Postgres, writing transactions), and POST ->
// CONFIRMED p50/p99 under open-loop arrivals at 25, 50 and 75 % of the saturating rate; beside
// the raw Postgres commit rate measured in the same run. Prints figures; asserts nothing.
import { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Client, Pool } from 'pg';
import { cpuMeter } from './support/cpu-usage';
import { authHeader, BENCH_AUTH, startApp, stop } from './support/processes';
import { printFigures, runBench } from './support/report';

const ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const RABBITMQ_URL = process.env.TEST_RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const ORDERS = Number(process.env.BENCH_ORDERS ?? 300);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 20);
const PHASE_SECONDS = Number(process.env.BENCH_PHASE_SECONDS ?? 10);
const SERVICES = ['identity', 'catalog', 'ordering', 'payments', 'shipping', 'notifications'];
const TERMINAL = `'CONFIRMED', 'REJECTED', 'CANCELLED', 'COMPENSATION_FAILED'`;

async function withDatabase<T>(work: (url: string) => Promise<T>): Promise<T> {
  const name = `commerce_bench_orders_${Date.now()}_${randomBytes(2).toString('hex')}`;
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  try {
    return await work(Object.assign(new URL(ADMIN_URL), { pathname: `/${name}` }).toString());
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  }
}

async function commitRate(url: string): Promise<string> {
  const pool = new Pool({ connectionString: url, max: 8 });
  pool.on('error', () => undefined);
  await pool.query(`CREATE TABLE commit_probe (id serial PRIMARY KEY, at timestamptz DEFAULT now())`);
  const n = 3000;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next++ < n) await pool.query(`INSERT INTO commit_probe DEFAULT VALUES`);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await pool.end();
  return `${Math.round(n / seconds)} commits/s (single-row INSERT, autocommit, 8 connections)`;
}

/** A running topology under test: where to send requests, its database, and its Node processes. */
interface Target {
  base: string;
  url: string;
  pids: number[];
}

/** A customer, a product with plenty of stock, and the body of a one-line order for it. */
async function prepare(base: string): Promise<{ customer: Record<string, string>; body: string }> {
  const admin = await authHeader(base, BENCH_AUTH.ADMIN_EMAIL, BENCH_AUTH.ADMIN_PASSWORD);
  const customerEmail = `bench-${randomBytes(4).toString('hex')}@example.com`;
  const customerPassword = `bench-${randomBytes(12).toString('hex')}`;
  await fetch(`${base}/api/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: customerEmail, password: customerPassword, name: 'Bench' }),
  });
  const customer = await authHeader(base, customerEmail, customerPassword);
  const created = await fetch(`${base}/api/products`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...admin },
    body: JSON.stringify({
      sku: `BENCH-${randomBytes(3).toString('hex')}`,
      name: 'Bench',
      category: 'bench',
      price: { amount: 990, currency: 'EUR' },
      initialStock: 1_000_000,
    }),
  });
  const productId = ((await created.json()) as { id: string }).id;
  const body = JSON.stringify({
    lines: [{ productId, quantity: 1 }],
    shippingAddress: { name: 'B', line1: 'Main 1', city: 'Berlin', postalCode: '10115', country: 'DE' },
    paymentToken: 'tok_visa',
    email: 'bench@example.com',
  });
  return { customer, body };
}

/** Places one order; resolves with its id (or undefined when the placement was refused). */
async function placeOne(base: string, customer: Record<string, string>, body: string): Promise<string | undefined> {
  const res = await fetch(`${base}/api/orders`, { method: 'POST', headers: { 'content-type': 'application/json', ...customer }, body });
  return res.status === 202 ? ((await res.json()) as { orderId: string }).orderId : undefined;
}

/** Waits (bounded) until every order has ended; returns how many were confirmed and their POST -> CONFIRMED latencies. */
async function settle(pg: Client, ids: string[]): Promise<{ confirmed: number; latencies: number[] }> {
  const deadline = Date.now() + 300_000;
  while (Date.now() < deadline) {
    const [{ open }] = (
      await pg.query(`SELECT count(*)::int AS open FROM ordering.order_view WHERE id = ANY($1::uuid[]) AND status NOT IN (${TERMINAL})`, [ids])
    ).rows;
    if (open === 0) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const latencies = (
    await pg.query(
      `SELECT EXTRACT(EPOCH FROM c.recorded_at - p.recorded_at) * 1000 AS ms
       FROM ordering.order_event p JOIN ordering.order_event c ON c.order_id = p.order_id AND c.type = 'OrderConfirmed'
       WHERE p.type = 'OrderPlaced' AND p.order_id = ANY($1::uuid[]) ORDER BY ms`,
      [ids],
    )
  ).rows.map((r: { ms: string }) => Number(r.ms));
  return { confirmed: latencies.length, latencies };
}

const percentile = (sorted: number[], q: number) => (sorted.length ? Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]) : NaN);
/** The next transaction id of the whole cluster: writing transactions take one, read-only ones none. */
const nextXid = async (pg: Client) => Number((await pg.query(`SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS x`)).rows[0].x);

/**
 * Closed loop to saturation (CONCURRENCY clients, each placing its next order when the last was
 * answered), then open loops at 25, 50 and 75 % of that rate: arrivals on a fixed schedule,
 * whatever the answers, so queueing shows in the latency instead of slowing the load down.
 */
async function driveOrders(target: Target, label: string): Promise<string[][]> {
  const { customer, body } = await prepare(target.base);
  const pg = new Client({ connectionString: target.url });
  await pg.connect();
  try {
    const meter = cpuMeter(() => target.pids);
    const xidBefore = await nextXid(pg);
    meter.start();
    const started = performance.now();
    const ids: string[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next++ < ORDERS) {
          const id = await placeOne(target.base, customer, body);
          if (id) ids.push(id);
        }
      }),
    );
    const saturated = await settle(pg, ids);
    const seconds = (performance.now() - started) / 1000;
    const cpu = meter.stop();
    const xids = (await nextXid(pg)) - xidBefore - 1;
    const rate = ORDERS / seconds;
    const perOrder = (x: number) => `${((x * 1000) / ORDERS).toFixed(1)} ms`;
    const rows = [
      [
        `${label}: saturating, closed loop`,
        `${rate.toFixed(1)} orders/s to a final state (${saturated.confirmed}/${ORDERS} confirmed, ${CONCURRENCY} clients); ` +
          `POST -> CONFIRMED p50 ${percentile(saturated.latencies, 0.5)} ms, p99 ${percentile(saturated.latencies, 0.99)} ms`,
      ],
      [
        `${label}: cost per order`,
        `CPU ${perOrder(cpu.node)} in Node (${target.pids.length} process${target.pids.length > 1 ? 'es' : ''}) + ${perOrder(cpu.postgres)} in Postgres; ` +
          `${(xids / ORDERS).toFixed(1)} writing transactions (transaction ids consumed, cluster-wide)`,
      ],
    ];
    for (const share of [0.25, 0.5, 0.75]) {
      const perSecond = rate * share;
      const count = Math.max(20, Math.round(perSecond * PHASE_SECONDS));
      const origin = performance.now();
      const placing: Promise<string | undefined>[] = [];
      for (let i = 0; i < count; i++) {
        const wait = origin + (i * 1000) / perSecond - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        placing.push(placeOne(target.base, customer, body));
      }
      const phase = (await Promise.all(placing)).filter((id): id is string => id !== undefined);
      const { confirmed, latencies } = await settle(pg, phase);
      rows.push([
        `${label}: open loop at ${share * 100} %`,
        `${perSecond.toFixed(1)} orders/s offered, ${confirmed}/${count} confirmed; POST -> CONFIRMED p50 ${percentile(latencies, 0.5)} ms, p99 ${percentile(latencies, 0.99)} ms`,
      ]);
    }
    return rows;
  } finally {
    await pg.end();
  }
}

async function main(): Promise<void> {
  const rows: string[][] = [];
  process.stderr.write('measuring the raw commit rate\n');
  rows.push(['raw Postgres commit rate', await withDatabase(commitRate)]);
  process.stderr.write('driving orders through the monolith\n');
  rows.push(
    ...(await withDatabase(async (url) => {
      const app = await startApp('monolith', { DATABASE_URL: url, SEED_DEMO_CATALOG: 'false', MAIL_DIR: '/tmp/commerce-bench-mail' });
      try {
        return await driveOrders({ base: app.base, url, pids: [app.child.pid!] }, 'monolith, in process');
      } finally {
        await stop(app.child);
      }
    })),
  );
  process.stderr.write('driving orders through the split topology\n');
  rows.push(
    ...(await withDatabase(async (url) => {
      const env = {
        DATABASE_URL: url,
        TRANSPORT: 'rmq',
        RABBITMQ_URL,
        RMQ_PREFIX: `bench${randomBytes(3).toString('hex')}`,
        SEED_DEMO_CATALOG: 'false',
        MAIL_DIR: '/tmp/commerce-bench-mail',
      };
      const children: ChildProcess[] = [];
      try {
        for (const service of SERVICES) children.push((await startApp(service, env)).child);
        const gateway = await startApp('gateway', env);
        children.push(gateway.child);
        return await driveOrders({ base: gateway.base, url, pids: children.map((c) => c.pid!) }, 'split over RabbitMQ');
      } finally {
        await Promise.all(children.map(stop));
      }
    })),
  );
  printFigures(`commerce-kit order flow bench (${ORDERS} orders, node ${process.version}, ${new Date().toISOString()})`, rows);
}

runBench(main);
