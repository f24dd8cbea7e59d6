// npm run bench:orders: orders per second driven to a terminal state and POST -> CONFIRMED
// p50/p99, for the monolith (in process, real Postgres) and the split topology over RabbitMQ,
// each with tracing off and on (exporting over OTLP/HTTP to a local collector stand-in), beside
// the raw Postgres commit rate measured in the same run. Prints figures; asserts nothing.
import { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Client, Pool } from 'pg';
import { startOtlpStandIn } from './support/otlp-stand-in';
import { authHeader, BENCH_AUTH, startApp, stop } from './support/processes';
import { printFigures, runBench } from './support/report';

const ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const RABBITMQ_URL = process.env.TEST_RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const ORDERS = Number(process.env.BENCH_ORDERS ?? 300);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 20);
const SERVICES = ['identity', 'catalog', 'ordering', 'payments', 'shipping', 'notifications'];

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

async function driveOrders(base: string, url: string): Promise<string> {
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
      initialStock: ORDERS * 2,
    }),
  });
  const productId = ((await created.json()) as { id: string }).id;
  const body = JSON.stringify({
    lines: [{ productId, quantity: 1 }],
    shippingAddress: { name: 'B', line1: 'Main 1', city: 'Berlin', postalCode: '10115', country: 'DE' },
    paymentToken: 'tok_visa',
    email: 'bench@example.com',
  });
  const pg = new Client({ connectionString: url });
  await pg.connect();
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < ORDERS) await fetch(`${base}/api/orders`, { method: 'POST', headers: { 'content-type': 'application/json', ...customer }, body });
    }),
  );
  const deadline = Date.now() + 300_000;
  for (;;) {
    const [{ open }] = (
      await pg.query(`SELECT count(*)::int AS open FROM ordering.order_view WHERE status NOT IN ('CONFIRMED', 'REJECTED', 'CANCELLED', 'COMPENSATION_FAILED')`)
    ).rows;
    if (open === 0 || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const seconds = (performance.now() - started) / 1000;
  const latencies = (
    await pg.query(`
      SELECT EXTRACT(EPOCH FROM c.recorded_at - p.recorded_at) * 1000 AS ms
      FROM ordering.order_event p JOIN ordering.order_event c ON c.order_id = p.order_id AND c.type = 'OrderConfirmed'
      WHERE p.type = 'OrderPlaced' ORDER BY ms`)
  ).rows.map((r: { ms: string }) => Number(r.ms));
  const [{ confirmed }] = (await pg.query(`SELECT count(*)::int AS confirmed FROM ordering.order_view WHERE status = 'CONFIRMED'`)).rows;
  await pg.end();
  const p = (q: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]);
  return `${(ORDERS / seconds).toFixed(1)} orders/s to a final state (${confirmed}/${ORDERS} confirmed, ${CONCURRENCY} clients); POST -> CONFIRMED p50 ${p(0.5)} ms, p99 ${p(0.99)} ms`;
}

async function monolith(extra: Record<string, string>): Promise<string> {
  return withDatabase(async (url) => {
    const app = await startApp('monolith', { DATABASE_URL: url, SEED_DEMO_CATALOG: 'false', MAIL_DIR: '/tmp/commerce-bench-mail', ...extra });
    try {
      return await driveOrders(app.base, url);
    } finally {
      await stop(app.child);
    }
  });
}

async function split(extra: Record<string, string>): Promise<string> {
  return withDatabase(async (url) => {
    const env = {
      DATABASE_URL: url,
      TRANSPORT: 'rmq',
      RABBITMQ_URL,
      RMQ_PREFIX: `bench${randomBytes(3).toString('hex')}`,
      SEED_DEMO_CATALOG: 'false',
      MAIL_DIR: '/tmp/commerce-bench-mail',
      ...extra,
    };
    const children: ChildProcess[] = [];
    try {
      for (const service of SERVICES) children.push((await startApp(service, env)).child);
      const gateway = await startApp('gateway', env);
      children.push(gateway.child);
      return await driveOrders(gateway.base, url);
    } finally {
      await Promise.all(children.map(stop));
    }
  });
}

async function main(): Promise<void> {
  const rows: string[][] = [];
  process.stderr.write('measuring the raw commit rate\n');
  rows.push(['raw Postgres commit rate', await withDatabase(commitRate)]);
  const collector = await startOtlpStandIn();
  const traced = { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url };
  try {
    for (const [label, run] of [
      ['monolith, in process, real Postgres', monolith],
      ['split over RabbitMQ (7 processes)', split],
    ] as const) {
      process.stderr.write(`driving orders: ${label}, tracing off\n`);
      rows.push([`${label}, tracing off`, await run({})]);
      process.stderr.write(`driving orders: ${label}, tracing on\n`);
      const before = collector.spans();
      const figure = await run(traced);
      rows.push([`${label}, tracing on (OTLP)`, `${figure}; ${collector.spans() - before} spans exported`]);
    }
  } finally {
    await collector.close();
  }
  printFigures(`commerce-kit order flow bench (${ORDERS} orders, node ${process.version}, ${new Date().toISOString()})`, rows);
}

runBench(main);
