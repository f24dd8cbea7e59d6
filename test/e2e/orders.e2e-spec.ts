import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { call, newCustomer } from '../support/http-harness';
import { describeOrders, withDiagnostics } from '../support/order-diagnostics';
import { TERMINAL, times, useOrderTopology } from '../support/order-harness';
import { CATALOG_READ_TOPOLOGIES, isSplit, TOPOLOGIES } from '../support/topology';
import { TEST_ADDRESS } from '../support/fixtures';
import { waitUntil } from '../support/wait-until';

const address = TEST_ADDRESS;

/**
 * The order flow's branches and races. Deadlines are out of the way here (two minutes): on a
 * loaded 2-core machine 200 orders arriving at once queue for seconds at each owner, and a short
 * deadline would turn that queueing into compensated orders. Deadlines have their own suite
 * (order-deadlines.e2e-spec.ts) with a provider answer that is late by construction.
 */
describe.each(TOPOLOGIES)('order flow, topology %s', (topology) => {
  const t = useOrderTopology(topology, {
    ORDER_STEP_TIMEOUT_MS: '120000',
    // The cancellation test cancels while this charge is in flight: long enough that the cancel
    // always lands first, whatever the load.
    SIM_PROVIDER_SLOW_MS: '5000',
  });
  const base = () => t.base;
  const { product, place, order, settle, count } = t;
  const waitFor = (what: string, check: () => Promise<boolean>) => waitUntil(what, check, 30_000);
  const stock = async (id: string) => (await call(base(), 'GET', `/api/products/${id}/stock`)).body;
  const cancel = (id: string) => call(base(), 'POST', `/api/orders/${id}/cancel`, undefined, t.customer);
  const providerCalls = (orderId: string, kind: 'charge' | 'refund') =>
    count(`SELECT count(*) AS n FROM payments.sim_provider_call WHERE idempotency_key = $1`, [`${kind}:${orderId}`]);
  const emails = (orderId: string, kind?: string) =>
    count(`SELECT count(*) AS n FROM notifications.notification WHERE order_id = $1 AND ($2::text IS NULL OR kind = $2)`, [orderId, kind ?? null]);

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
    expect(existsSync(join(t.mailDir, `${id}.order-confirmed.eml`))).toBe(true);
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
    const someone = (await newCustomer(base())).auth;
    const [a, b] = await Promise.all([
      place([{ productId: p, quantity: 1 }], {}, { 'idempotency-key': key, ...someone }),
      place([{ productId: p, quantity: 1 }], {}, { 'idempotency-key': key, ...someone }),
    ]);
    expect(a.body.orderId).toBe(b.body.orderId);
    expect([a.body.created, b.body.created].sort()).toEqual([false, true]);
    const other = await place([{ productId: p, quantity: 2 }], {}, { 'idempotency-key': key, ...someone });
    expect(other).toMatchObject({ status: 409, body: { code: 'ORDERING.IDEMPOTENCY_KEY_REUSED' } });
    await settle(a.body.orderId as string, someone);
    const mine = await call(base(), 'GET', '/api/orders', undefined, someone);
    expect(mine.body.total).toBe(1);
  });

  it('leaves an order whose compensation keeps failing in COMPENSATION_FAILED, listed for an admin', async () => {
    const p = await product(2);
    const id = (await place([{ productId: p, quantity: 1 }], { paymentToken: 'tok_refund_fails', shippingAddress: { ...address, postalCode: '99999' } })).body
      .orderId as string;
    const o = await settle(id);
    expect(o.status).toBe('COMPENSATION_FAILED');
    expect(o.reason).toContain('refund-payment failed');
    const listed = await call(base(), 'GET', '/api/orders?status=COMPENSATION_FAILED', undefined, t.admin);
    expect((listed.body.items as { id: string }[]).map((i) => i.id)).toContain(id);
    if (!isSplit(topology))
      expect((await call(base(), 'GET', '/health/ready')).body.details).toMatchObject({ orders: { status: 'up', compensationFailed: expect.any(Number) } });
  });

  it('rejects bad orders with 400 problem+json', async () => {
    const unknown = await place([{ productId: randomUUID(), quantity: 1 }]);
    expect(unknown).toMatchObject({ status: 400, body: { code: 'ORDERING.UNKNOWN_PRODUCT' } });
    expect((await place([])).status).toBe(400);
    expect((await place([{ productId: randomUUID(), quantity: 0 }])).status).toBe(400);
    expect((await place([{ productId: randomUUID(), quantity: 1 }], { paymentToken: 'visa' })).status).toBe(400);
    expect((await place([{ productId: randomUUID(), quantity: 1 }], { price: 1 })).status).toBe(400);
    expect((await place([{ productId: randomUUID(), quantity: 1 }], {}, { 'idempotency-key': 'bad key!' })).status).toBe(400);
    expect((await call(base(), 'GET', `/api/orders/${randomUUID()}`, undefined, t.customer)).status).toBe(404);
  });

  it('never oversells when 200 orders race for 40 units, and every order ends', async () => {
    const p = await product(40);
    // All 200 at once: on a loaded 2-core machine the last answers can take a minute.
    const results = await Promise.all(Array.from({ length: 200 }, () => place([{ productId: p, quantity: 1 }], {}, {}, 150_000)));
    expect(results.filter((r) => r.status !== 202).map((r) => [r.status, r.body.code])).toEqual([]);
    const ids = results.map((r) => r.body.orderId as string);
    const deadline = Date.now() + 150_000;
    let statuses: string[] = [];
    for (;;) {
      const rows = (await t.pg.query(`SELECT id, status FROM ordering.order_view WHERE id = ANY($1::uuid[])`, [ids])).rows as { id: string; status: string }[];
      statuses = rows.map((r) => r.status);
      if (statuses.length === 200 && statuses.every((s) => TERMINAL.includes(s))) break;
      if (Date.now() > deadline) {
        const tally = JSON.stringify(statuses.reduce<Record<string, number>>((a, s) => ({ ...a, [s]: (a[s] ?? 0) + 1 }), {}));
        const open = rows.filter((r) => !TERMINAL.includes(r.status)).map((r) => r.id);
        throw new Error(`not all orders ended: ${tally}\n${await describeOrders(t.pg, open)}`);
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    const confirmed = statuses.filter((s) => s === 'CONFIRMED').length;
    // Orders that were charged but did not end confirmed, and orders with a deadline passed, a late reply or a failed compensation.
    const suspects = async () => {
      const rows = (
        await t.pg.query(
          `SELECT v.id FROM ordering.order_view v WHERE v.id = ANY($1::uuid[]) AND (
             (v.status <> 'CONFIRMED' AND EXISTS (SELECT 1 FROM payments.sim_provider_call c WHERE c.idempotency_key = 'charge:' || v.id::text))
             OR EXISTS (SELECT 1 FROM ordering.order_event e WHERE e.order_id = v.id AND e.type IN ('StepTimedOut', 'LateReplyIgnored', 'CompensationFailed')))`,
          [ids],
        )
      ).rows as { id: string }[];
      return describeOrders(
        t.pg,
        rows.map((r) => r.id),
      );
    };
    await withDiagnostics(suspects, async () => {
      const s = await stock(p);
      // No deadline can pass here, so exactly the 40 orders that got a unit are confirmed.
      expect(confirmed).toBe(40);
      expect(s.reserved).toBe(0);
      expect(s.available + s.committed).toBe(40);
      expect(s.committed).toBe(confirmed);
      expect(await count(`SELECT count(*) AS n FROM payments.payment WHERE order_id = ANY($1::uuid[]) AND status = 'CAPTURED'`, [ids])).toBe(confirmed);
      expect(await count(`SELECT count(*) AS n FROM payments.sim_provider_call WHERE idempotency_key = ANY($1::text[])`, [ids.map((i) => `charge:${i}`)])).toBe(
        confirmed,
      );
    });
  }, 330_000);
});

// Ordering asks the catalog for prices (catalog.get-products.v1) on every placement: here over gRPC.
for (const topology of CATALOG_READ_TOPOLOGIES.filter((name) => name === 'split-grpc')) {
  describe(`order placement, topology ${topology}`, () => {
    const t = useOrderTopology(topology, { ORDER_STEP_TIMEOUT_MS: '120000' });

    it('prices an order from the catalog over gRPC, refuses an unknown product, and confirms', async () => {
      const p = await t.product(4, 1999);
      expect((await t.place([{ productId: randomUUID(), quantity: 1 }])).body).toMatchObject({ code: 'ORDERING.UNKNOWN_PRODUCT' });
      const placed = await t.place([{ productId: p, quantity: 2 }]);
      expect(placed.status).toBe(202);
      const o = await t.settle(placed.body.orderId as string);
      expect(o).toMatchObject({ status: 'CONFIRMED', total: { amount: 3998, currency: 'EUR' } });
      const metrics = await (await fetch(`${t.running.processes.get('ordering')!.baseUrl}/metrics`)).text();
      const priced = /commerce_grpc_client_duration_seconds_count\{method="commerce\.catalog\.v1\.CatalogQueries\/GetProducts",code="OK"\} (\d+)/.exec(metrics);
      expect(Number(priced?.[1] ?? 0)).toBeGreaterThanOrEqual(2);
    });
  });
}
