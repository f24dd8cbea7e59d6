import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { bearer, call, newCustomer } from '../support/http-harness';
import { createScratchDatabase, ScratchDatabase } from '../support/postgres';
import { RunningTopology, startTopology, TOPOLOGIES } from '../support/topology';
import { TEST_ADDRESS } from '../support/fixtures';

const TERMINAL = ['CONFIRMED', 'REJECTED', 'CANCELLED', 'COMPENSATION_FAILED'];
const address = TEST_ADDRESS;

describe.each(TOPOLOGIES)('order flow, topology %s', (topology) => {
  let scratch: ScratchDatabase;
  let running: RunningTopology;
  let base: string;
  let pg: Client;
  let mailDir: string;
  let customer: Record<string, string>;
  let admin: Record<string, string>;

  beforeAll(async () => {
    scratch = await createScratchDatabase('commerce_e2e_orders');
    mailDir = mkdtempSync(join(tmpdir(), 'commerce-mail-'));
    running = await startTopology(topology, scratch.url, {
      SEED_DEMO_CATALOG: 'false',
      ORDER_STEP_TIMEOUT_MS: '2500',
      ORDER_STALL_MS: '1000',
      ORDER_RECOVERY_INTERVAL_MS: '250',
      ORDER_COMPENSATION_ATTEMPTS: '3',
      SIM_PROVIDER_HANG_MS: '5000',
      SIM_PROVIDER_SLOW_MS: '800',
      MAIL_DIR: mailDir,
      OUTBOX_POLL_MS: '200',
      // 200 orders arrive at once while other suites share the two cores: this suite checks
      // invariants, not latency, so requests may queue longer than the default 5 s.
      BUS_REQUEST_TIMEOUT_MS: '30000',
      EDGE_COMMAND_TIMEOUT_MS: '30000',
    });
    base = running.baseUrl;
    admin = bearer(running.adminToken);
    customer = (await newCustomer(base)).auth;
    pg = new Client({ connectionString: scratch.url });
    await pg.connect();
  }, 120_000);

  afterAll(async () => {
    await pg?.end();
    await running?.close();
    await scratch?.drop();
    rmSync(mailDir, { recursive: true, force: true });
  });

  const product = async (stock: number, amount = 1250) =>
    (
      await call(
        base,
        'POST',
        '/api/products',
        {
          sku: `O-${randomUUID().slice(0, 8)}`,
          name: 'Widget',
          category: 'test',
          price: { amount, currency: 'EUR' },
          initialStock: stock,
        },
        admin,
      )
    ).body.id as string;
  const place = (lines: { productId: string; quantity: number }[], extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
    call(
      base,
      'POST',
      '/api/orders',
      { lines, shippingAddress: address, paymentToken: 'tok_visa', email: 'ada@example.com', ...extra },
      { ...customer, ...headers },
    );
  const order = async (id: string, auth = customer) =>
    (await call(base, 'GET', `/api/orders/${id}`, undefined, auth)).body as unknown as {
      status: string;
      reason?: string;
      history: { type: string; data: Record<string, unknown> }[];
    };
  const settle = async (id: string, auth = customer, timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const o = await order(id, auth);
      if (TERMINAL.includes(o.status)) return o;
      if (Date.now() > deadline) throw new Error(`order ${id} still ${o.status}: ${o.history.map((h) => h.type).join(', ')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const waitFor = async (what: string, check: () => Promise<boolean>, timeoutMs = 15_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const stock = async (id: string) => (await call(base, 'GET', `/api/products/${id}/stock`)).body;
  const cancel = (id: string) => call(base, 'POST', `/api/orders/${id}/cancel`, undefined, customer);
  const count = async (sql: string, params: unknown[]) => Number((await pg.query(sql, params)).rows[0].n);
  const providerCalls = (orderId: string, kind: 'charge' | 'refund') =>
    count(`SELECT count(*) AS n FROM payments.sim_provider_call WHERE idempotency_key = $1`, [`${kind}:${orderId}`]);
  const emails = (orderId: string, kind?: string) =>
    count(`SELECT count(*) AS n FROM notifications.notification WHERE order_id = $1 AND ($2::text IS NULL OR kind = $2)`, [orderId, kind ?? null]);
  const times = (o: { history: { type: string }[] }, type: string) => o.history.filter((h) => h.type === type).length;

  it('confirms an order: stock sold, one capture, one shipment, one email', async () => {
    const p = await product(5);
    const placed = await place([{ productId: p, quantity: 2 }]);
    expect(placed.status).toBe(202);
    expect(placed.headers.get('location')).toBe(`/api/orders/${placed.body.orderId}`);
    const id = placed.body.orderId as string;
    const o = await settle(id);
    expect(o.status).toBe('CONFIRMED');
    expect(o).toMatchObject({ total: { amount: 2500, currency: 'EUR' } });
    expect(await stock(p)).toMatchObject({ available: 3, reserved: 0, committed: 2 });
    expect(await providerCalls(id, 'charge')).toBe(1);
    expect(await count(`SELECT count(*) AS n FROM shipping.shipment WHERE order_id = $1 AND status = 'CREATED'`, [id])).toBe(1);
    await waitFor('the confirmation email', async () => (await emails(id, 'order-confirmed')) === 1);
    expect(existsSync(join(mailDir, `${id}.order-confirmed.eml`))).toBe(true);
    expect(await emails(id)).toBe(1);
  });

  it('rejects an order when stock is short, touching nothing else', async () => {
    const p = await product(1);
    const id = (await place([{ productId: p, quantity: 2 }])).body.orderId as string;
    const o = await settle(id);
    expect(o.status).toBe('REJECTED');
    expect(o.reason).toContain('out of stock');
    expect(await stock(p)).toMatchObject({ available: 1, reserved: 0, committed: 0 });
    expect(await providerCalls(id, 'charge')).toBe(0);
    await waitFor('the rejection email', async () => (await emails(id, 'order-rejected')) === 1);
  });

  it('releases stock once when the card is declined', async () => {
    const p = await product(3);
    const id = (await place([{ productId: p, quantity: 1 }], { paymentToken: 'tok_declined' })).body.orderId as string;
    const o = await settle(id);
    expect(o.status).toBe('REJECTED');
    expect(o.reason).toContain('declined');
    expect(times(o, 'StockReleased')).toBe(1);
    expect(await stock(p)).toMatchObject({ available: 3, reserved: 0, committed: 0 });
    expect(await count(`SELECT count(*) AS n FROM shipping.shipment WHERE order_id = $1`, [id])).toBe(0);
  });

  it('refunds and releases once when the carrier refuses the address', async () => {
    const p = await product(3);
    const id = (await place([{ productId: p, quantity: 1 }], { shippingAddress: { ...address, postalCode: '00000' } })).body.orderId as string;
    const o = await settle(id);
    expect(o.status).toBe('REJECTED');
    expect(times(o, 'PaymentRefunded')).toBe(1);
    expect(times(o, 'StockReleased')).toBe(1);
    expect(await providerCalls(id, 'charge')).toBe(1);
    expect(await providerCalls(id, 'refund')).toBe(1);
    expect(await count(`SELECT count(*) AS n FROM payments.payment WHERE order_id = $1 AND status = 'REFUNDED'`, [id])).toBe(1);
    expect(await stock(p)).toMatchObject({ available: 3, reserved: 0 });
    await waitFor('rejection and refund emails', async () => (await emails(id, 'order-rejected')) === 1 && (await emails(id, 'payment-refunded')) === 1);
  });

  it('cancels before shipping: the charge in flight is voided, stock released, the late reply recorded and ignored', async () => {
    const p = await product(3);
    const id = (await place([{ productId: p, quantity: 1 }], { paymentToken: 'tok_slow' })).body.orderId as string;
    await waitFor('the charge to start', async () => (await order(id)).history.some((h) => h.type === 'StepStarted' && h.data.step === 'charge-payment'));
    const cancelled = await cancel(id);
    expect(cancelled.status).toBe(202);
    const o = await settle(id);
    expect(o.status).toBe('CANCELLED');
    await waitFor('the late reply', async () => times(await order(id), 'LateReplyIgnored') === 1);
    expect(await stock(p)).toMatchObject({ available: 3, reserved: 0, committed: 0 });
    // The charge either finished first and was refunded, or was voided in flight and gave the money back.
    await waitFor('the money back', async () => (await providerCalls(id, 'refund')) === 1);
    expect(await count(`SELECT count(*) AS n FROM payments.payment WHERE order_id = $1 AND status IN ('VOIDED', 'REFUNDED')`, [id])).toBe(1);
    await waitFor('the cancellation email', async () => (await emails(id, 'order-cancelled')) === 1);
    const again = await cancel(id);
    expect(again).toMatchObject({ status: 202, body: { status: 'CANCELLED' } });
  });

  it('treats a step past its deadline as failed and compensates it', async () => {
    const p = await product(3);
    const id = (await place([{ productId: p, quantity: 1 }], { paymentToken: 'tok_timeout' })).body.orderId as string;
    const o = await settle(id);
    expect(o.status).toBe('REJECTED');
    expect(o.reason).toBe('charge-payment timed out');
    expect(times(o, 'StockReleased')).toBe(1);
    expect(await stock(p)).toMatchObject({ available: 3, reserved: 0 });
    expect(await count(`SELECT count(*) AS n FROM payments.payment WHERE order_id = $1 AND status = 'VOIDED'`, [id])).toBe(1);
  });

  it('refuses to cancel a confirmed order', async () => {
    const p = await product(2);
    const id = (await place([{ productId: p, quantity: 1 }])).body.orderId as string;
    expect((await settle(id)).status).toBe('CONFIRMED');
    const res = await cancel(id);
    expect(res).toMatchObject({ status: 409, body: { code: 'ORDERING.NOT_CANCELLABLE' } });
  });

  it('creates one order for the same Idempotency-Key, and refuses the key with another body', async () => {
    const p = await product(5);
    const key = `key-${randomUUID()}`;
    const someone = (await newCustomer(base)).auth;
    const [a, b] = await Promise.all([
      place([{ productId: p, quantity: 1 }], {}, { 'idempotency-key': key, ...someone }),
      place([{ productId: p, quantity: 1 }], {}, { 'idempotency-key': key, ...someone }),
    ]);
    expect(a.body.orderId).toBe(b.body.orderId);
    expect([a.body.created, b.body.created].sort()).toEqual([false, true]);
    const other = await place([{ productId: p, quantity: 2 }], {}, { 'idempotency-key': key, ...someone });
    expect(other).toMatchObject({ status: 409, body: { code: 'ORDERING.IDEMPOTENCY_KEY_REUSED' } });
    await settle(a.body.orderId as string, someone);
    const mine = await call(base, 'GET', '/api/orders', undefined, someone);
    expect(mine.body.total).toBe(1);
  });

  it('leaves an order whose compensation keeps failing in COMPENSATION_FAILED, listed for an admin', async () => {
    const p = await product(2);
    const id = (await place([{ productId: p, quantity: 1 }], { paymentToken: 'tok_refund_fails', shippingAddress: { ...address, postalCode: '99999' } })).body
      .orderId as string;
    const o = await settle(id);
    expect(o.status).toBe('COMPENSATION_FAILED');
    expect(o.reason).toContain('refund-payment failed');
    const listed = await call(base, 'GET', '/api/orders?status=COMPENSATION_FAILED', undefined, admin);
    expect((listed.body.items as { id: string }[]).map((i) => i.id)).toContain(id);
    if (topology !== 'split')
      expect((await call(base, 'GET', '/health/ready')).body.details).toMatchObject({ orders: { status: 'up', compensationFailed: expect.any(Number) } });
  });

  it('rejects bad orders with 400 problem+json', async () => {
    const unknown = await place([{ productId: randomUUID(), quantity: 1 }]);
    expect(unknown).toMatchObject({ status: 400, body: { code: 'ORDERING.UNKNOWN_PRODUCT' } });
    expect((await place([])).status).toBe(400);
    expect((await place([{ productId: randomUUID(), quantity: 0 }])).status).toBe(400);
    expect((await place([{ productId: randomUUID(), quantity: 1 }], { paymentToken: 'visa' })).status).toBe(400);
    expect((await place([{ productId: randomUUID(), quantity: 1 }], { price: 1 })).status).toBe(400);
    expect((await place([{ productId: randomUUID(), quantity: 1 }], {}, { 'idempotency-key': 'bad key!' })).status).toBe(400);
    expect((await call(base, 'GET', `/api/orders/${randomUUID()}`, undefined, customer)).status).toBe(404);
  });

  it('never oversells when 200 orders race for 40 units, and every order ends', async () => {
    const p = await product(40);
    const results = await Promise.all(Array.from({ length: 200 }, () => place([{ productId: p, quantity: 1 }])));
    expect(results.filter((r) => r.status !== 202).map((r) => [r.status, r.body.code])).toEqual([]);
    const ids = results.map((r) => r.body.orderId as string);
    const deadline = Date.now() + 150_000;
    let statuses: string[] = [];
    for (;;) {
      const rows = (await pg.query(`SELECT status FROM ordering.order_view WHERE id = ANY($1::uuid[])`, [ids])).rows as { status: string }[];
      statuses = rows.map((r) => r.status);
      if (statuses.length === 200 && statuses.every((s) => TERMINAL.includes(s))) break;
      if (Date.now() > deadline)
        throw new Error(`not all orders ended: ${JSON.stringify(statuses.reduce<Record<string, number>>((a, s) => ({ ...a, [s]: (a[s] ?? 0) + 1 }), {}))}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    const confirmed = statuses.filter((s) => s === 'CONFIRMED').length;
    const s = await stock(p);
    expect(confirmed).toBeLessThanOrEqual(40);
    expect(s.reserved).toBe(0);
    expect(s.available + s.committed).toBe(40);
    expect(s.committed).toBe(confirmed);
    expect(await count(`SELECT count(*) AS n FROM payments.payment WHERE order_id = ANY($1::uuid[]) AND status = 'CAPTURED'`, [ids])).toBe(confirmed);
    expect(await count(`SELECT count(*) AS n FROM payments.sim_provider_call WHERE idempotency_key = ANY($1::text[])`, [ids.map((i) => `charge:${i}`)])).toBe(
      confirmed,
    );
  }, 200_000);
});
