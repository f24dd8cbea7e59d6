// What the order benches share: a scratch database, a customer and a product, placing orders and
// waiting for them to end, and the cluster's transaction counter.
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { authHeader, BENCH_AUTH } from './processes';

const ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const TERMINAL = `'CONFIRMED', 'REJECTED', 'CANCELLED', 'COMPENSATION_FAILED'`;

/** Runs `work` on a new database, dropped afterwards. */
export async function withDatabase<T>(work: (url: string) => Promise<T>): Promise<T> {
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

/** A customer, a product with plenty of stock, and the body of a one-line order for it. */
export async function prepare(base: string): Promise<{ customer: Record<string, string>; body: string }> {
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
export async function placeOne(base: string, customer: Record<string, string>, body: string): Promise<string | undefined> {
  const res = await fetch(`${base}/api/orders`, { method: 'POST', headers: { 'content-type': 'application/json', ...customer }, body });
  return res.status === 202 ? ((await res.json()) as { orderId: string }).orderId : undefined;
}

/** A closed loop: `clients` clients place `orders` orders between them, each the next as soon as its last was accepted; resolves with the accepted ids. */
export async function placeConcurrently(base: string, customer: Record<string, string>, body: string, orders: number, clients: number): Promise<string[]> {
  const ids: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next++ < orders) {
        const id = await placeOne(base, customer, body);
        if (id) ids.push(id);
      }
    }),
  );
  return ids;
}

/** Waits (bounded) until every order has ended; returns how many were confirmed and their POST -> CONFIRMED latencies. */
export async function settle(pg: Client, ids: string[]): Promise<{ confirmed: number; latencies: number[] }> {
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

export const percentile = (sorted: number[], q: number) =>
  sorted.length ? Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]) : NaN;
/** The next transaction id of the whole cluster: writing transactions take one, read-only ones none. */
export const nextXid = async (pg: Client) => Number((await pg.query(`SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS x`)).rows[0].x);
