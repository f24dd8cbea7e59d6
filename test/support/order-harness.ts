import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from 'pg';
import { TEST_ADDRESS } from './fixtures';
import { bearer, call, newCustomer } from './http-harness';
import { describeOrders } from './order-diagnostics';
import { useScratchTopology } from './scratch-topology';
import { RunningTopology, TopologyName } from './topology';

/** The statuses an order ends in. */
export const TERMINAL = ['CONFIRMED', 'REJECTED', 'CANCELLED', 'COMPENSATION_FAILED', 'PARKED'];

/** An order as the API shows it, with its history. */
export interface OrderSeen {
  status: string;
  reason?: string;
  history: { type: string; data: Record<string, unknown> }[];
}

/** What the order-flow suites share: a running topology, a customer, and helpers that speak its API. */
export interface OrderTopology {
  running: RunningTopology;
  base: string;
  pg: Client;
  mailDir: string;
  customer: Record<string, string>;
  admin: Record<string, string>;
  product(stock: number, amount?: number): Promise<string>;
  place(
    lines: { productId: string; quantity: number }[],
    extra?: Record<string, unknown>,
    headers?: Record<string, string>,
    timeoutMs?: number,
  ): ReturnType<typeof call>;
  order(id: string, auth?: Record<string, string>): Promise<OrderSeen>;
  /** Waits until the order ends; on timeout the error carries the order's whole recorded history. */
  settle(id: string, auth?: Record<string, string>, timeoutMs?: number): Promise<OrderSeen>;
  count(sql: string, params: unknown[]): Promise<number>;
}

/**
 * Boots a topology for an order-flow suite (beforeAll) and tears it down (afterAll). The settings
 * every order suite needs are here; `env` adds the suite's own (deadlines, provider timings).
 */
export function useOrderTopology(topology: TopologyName, env: Record<string, string>): OrderTopology {
  const mailDir = mkdtempSync(join(tmpdir(), 'commerce-mail-'));
  const scratch = useScratchTopology(
    'commerce_e2e_orders',
    topology,
    {
      SEED_DEMO_CATALOG: 'false',
      ORDER_STALL_MS: '1000',
      ORDER_RECOVERY_INTERVAL_MS: '250',
      ORDER_COMPENSATION_ATTEMPTS: '3',
      MAIL_DIR: mailDir,
      OUTBOX_POLL_MS: '200',
      // Many orders may arrive at once while other suites share the two cores: these suites check
      // behaviour and invariants, not latency, so requests may queue longer than the default 5 s.
      BUS_REQUEST_TIMEOUT_MS: '30000',
      EDGE_COMMAND_TIMEOUT_MS: '30000',
      ...env,
    },
    () => rmSync(mailDir, { recursive: true, force: true }),
  );
  const t = { mailDir } as OrderTopology;

  beforeAll(async () => {
    t.running = scratch.running;
    t.pg = scratch.pg;
    t.base = t.running.baseUrl;
    t.admin = bearer(t.running.adminToken);
    t.customer = (await newCustomer(t.base)).auth;
  }, 60_000);

  t.product = async (stock, amount = 1250) => {
    const res = await call(
      t.base,
      'POST',
      '/api/products',
      { sku: `O-${randomUUID().slice(0, 8)}`, name: 'Widget', category: 'test', price: { amount, currency: 'EUR' }, initialStock: stock },
      t.admin,
    );
    if (res.status !== 201) throw new Error(`could not create a product: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id as string;
  };
  t.place = (lines, extra = {}, headers = {}, timeoutMs) =>
    call(
      t.base,
      'POST',
      '/api/orders',
      { lines, shippingAddress: TEST_ADDRESS, paymentToken: 'tok_visa', email: 'ada@example.com', ...extra },
      { ...t.customer, ...headers },
      timeoutMs,
    );
  t.order = async (id, auth = t.customer) => (await call(t.base, 'GET', `/api/orders/${id}`, undefined, auth)).body as unknown as OrderSeen;
  t.settle = async (id, auth = t.customer, timeoutMs = 60_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const o = await t.order(id, auth);
      if (TERMINAL.includes(o.status)) return o;
      if (Date.now() > deadline) throw new Error(`order ${id} still ${o.status} after ${timeoutMs} ms:\n${await describeOrders(t.pg, [id])}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  t.count = async (sql, params) => Number((await t.pg.query(sql, params)).rows[0].n);
  return t;
}

/** How many times the order's history holds an event of this type. */
export const times = (o: { history: { type: string }[] }, type: string): number => o.history.filter((h) => h.type === type).length;
