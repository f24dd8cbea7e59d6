import { randomUUID } from 'node:crypto';
import { bearer, call, newCustomer } from '../support/http-harness';
import { useScratchTopology } from '../support/scratch-topology';
import { TEST_ADDRESS } from '../support/fixtures';
import { waitUntil } from '../support/wait-until';
import { describeOrders, withDiagnostics } from '../support/order-diagnostics';

const CRASH_KEY = 'crash-after-store-1';
const TERMINAL = ['CONFIRMED', 'REJECTED', 'CANCELLED', 'COMPENSATION_FAILED'];

/** POST /api/orders with a timeout long enough to outlive a restart of ordering. */
async function place(base: string, auth: Record<string, string>, productId: string, key: string) {
  const response = await fetch(`${base}/api/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': key, ...auth },
    body: JSON.stringify({ lines: [{ productId, quantity: 1 }], shippingAddress: TEST_ADDRESS, paymentToken: 'tok_visa', email: 'a@example.com' }),
    signal: AbortSignal.timeout(90_000),
  });
  return { key, status: response.status, body: (await response.json()) as { orderId?: string; created?: boolean; code?: string } };
}

describe('ordering killed after storing an order and before replying (split topology)', () => {
  const t = useScratchTopology('commerce_fault_redelivery', 'split', {
    SEED_DEMO_CATALOG: 'false',
    // The deterministic crash point: ordering SIGKILLs itself right after committing this key's order.
    ORDERING_CRASH_AFTER_STORE_KEY: CRASH_KEY,
    EDGE_COMMAND_TIMEOUT_MS: '60000',
    BUS_REQUEST_TIMEOUT_MS: '60000',
    EDGE_BREAKER_THRESHOLD: '1000',
    // Catalog is down while ordering resumes the crashed order: its reservation waits in the queue
    // until catalog is back, which on a loaded machine can take longer than the default deadline.
    ORDER_STEP_TIMEOUT_MS: '60000',
    ORDER_STALL_MS: '1000',
    ORDER_RECOVERY_INTERVAL_MS: '300',
    OUTBOX_POLL_MS: '200',
  });

  it('answers the redelivery and the client retry with the stored order, and no created order with an error', async () => {
    const base = t.running.baseUrl;
    const customer = await newCustomer(base);
    const product = (
      await call(
        base,
        'POST',
        '/api/products',
        { sku: `REDELIVER-${randomUUID().slice(0, 6)}`, name: 'Redelivered', category: 'test', price: { amount: 900, currency: 'EUR' }, initialStock: 50 },
        bearer(t.running.adminToken),
      )
    ).body.id as string;
    const others = Array.from({ length: 4 }, (_, i) => place(base, customer.auth, product, `before-${i}`));
    await Promise.all(others);

    const ordering = t.running.processes.get('ordering')!;
    const crashing = place(base, customer.auth, product, CRASH_KEY);
    const exit = await Promise.race([ordering.exited, new Promise((r) => setTimeout(() => r('still t.running'), 60_000))]);
    expect(exit).not.toBe('still t.running');
    // It died after the commit: the order is recorded, and no reply was sent.
    const [stored] = (await t.pg.query(`SELECT order_id FROM ordering.idempotency_key WHERE key = $1`, [`${customer.id}:${CRASH_KEY}`])).rows as {
      order_id: string;
    }[];
    expect(stored?.order_id).toEqual(expect.any(String));

    // Catalog is down while ordering comes back: the redelivery and the retry must be answered from the record alone.
    await t.running.stop('catalog');
    await t.running.start('ordering');
    const first = await crashing;
    expect(first).toMatchObject({ status: 202, body: { orderId: stored.order_id } });
    const retry = await place(base, customer.auth, product, CRASH_KEY);
    expect(retry).toMatchObject({ status: 202, body: { orderId: stored.order_id, created: false } });
    await t.running.start('catalog');
    const during = Array.from({ length: 3 }, (_, i) => place(base, customer.auth, product, `after-${i}`));

    const answers = [...(await Promise.all(others)), ...(await Promise.all(during)), first, retry];
    const orders = (await t.pg.query(`SELECT id, status FROM ordering.order_view`)).rows as { id: string; status: string }[];
    // Eight distinct keys, eight orders; every one of them was answered with 202 and its id.
    expect(orders).toHaveLength(8);
    for (const order of orders) {
      const answered = answers.filter((a) => a.body.orderId === order.id);
      expect({ order: order.id, statuses: [...new Set(answered.map((a) => a.status))] }).toEqual({ order: order.id, statuses: [202] });
    }
    expect(answers.filter((a) => a.status !== 202)).toEqual([]);
    await waitUntil(
      'every order ended, the crashed one included',
      async () => ((await t.pg.query(`SELECT status FROM ordering.order_view`)).rows as { status: string }[]).every((r) => TERMINAL.includes(r.status)),
      90_000,
    );
    const [crashed] = (await t.pg.query(`SELECT status FROM ordering.order_view WHERE id = $1`, [stored.order_id])).rows as { status: string }[];
    await withDiagnostics(
      () => describeOrders(t.pg, [stored.order_id]),
      () => expect(crashed.status).toBe('CONFIRMED'),
    );
  }, 300_000);
});
