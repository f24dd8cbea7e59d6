import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { bearer, call, newCustomer } from '../support/http-harness';
import { useScratchTopology } from '../support/scratch-topology';
import { TEST_ADDRESS } from '../support/fixtures';
import { describeOrders, withDiagnostics } from '../support/order-diagnostics';
import { waitUntil } from '../support/wait-until';

/** A pause before a failed compensation is retried long enough to kill ordering inside it, whatever the load. */
const BACKOFF_MS = 20_000;

/**
 * The compensation's retry is a row, not a process timer: ordering is SIGKILLed while a
 * release-stock waits out its backoff, stays down past the time the retry was due, and the
 * release still happens once it is back.
 */
describe('a compensation waiting out its backoff survives a SIGKILL of ordering (split topology)', () => {
  const t = useScratchTopology('commerce_fault_order_timer', 'split', {
    SEED_DEMO_CATALOG: 'false',
    // The charge of a tok_timeout card is held by the provider: the step can only end by its deadline.
    SIM_PROVIDER_HANG_MS: '120000',
    ORDER_STEP_TIMEOUT_MS: '6000',
    ORDER_RETRY_BACKOFF_MS: String(BACKOFF_MS),
    ORDER_STALL_MS: '1000',
    ORDER_RECOVERY_INTERVAL_MS: '300',
    OUTBOX_POLL_MS: '200',
    EDGE_BREAKER_THRESHOLD: '1000',
  });

  const events = async (orderId: string) =>
    (await t.pg.query(`SELECT type, data FROM ordering.order_event WHERE order_id = $1 ORDER BY version`, [orderId])).rows as {
      type: string;
      data: { step?: string; retryAt?: string };
    }[];

  it('releases the stock after the restart', async () => {
    const base = t.running.baseUrl;
    const customer = (await newCustomer(base)).auth;
    const product = (
      await call(
        base,
        'POST',
        '/api/products',
        { sku: `TIMER-${randomUUID().slice(0, 6)}`, name: 'Timer', category: 'test', price: { amount: 500, currency: 'EUR' }, initialStock: 3 },
        bearer(t.running.adminToken),
      )
    ).body.id as string;
    const placed = await call(
      base,
      'POST',
      '/api/orders',
      { lines: [{ productId: product, quantity: 1 }], shippingAddress: TEST_ADDRESS, paymentToken: 'tok_timeout', email: 'a@example.com' },
      customer,
    );
    expect(placed.status).toBe(202);
    const orderId = placed.body.orderId as string;
    const reserved = async () => Number((await t.pg.query(`SELECT reserved FROM catalog.stock WHERE product_id = $1`, [product])).rows[0].reserved);

    // The stock is reserved and the charge hangs: take catalog away, so releasing the stock fails.
    await waitUntil(
      'the charge to start',
      async () => (await events(orderId)).some((e) => e.type === 'StepStarted' && e.data.step === 'charge-payment'),
      60_000,
    );
    expect(await reserved()).toBe(1);
    await t.running.stop('catalog');

    // The charge times out, the payment is voided, release-stock finds no catalog and waits out its backoff.
    let retryAt = 0;
    await waitUntil(
      'release-stock to fail and wait for its retry',
      async () => {
        const failed = (await events(orderId)).find((e) => e.type === 'StepFailed' && e.data.step === 'release-stock');
        retryAt = failed ? Date.parse(failed.data.retryAt!) : 0;
        return retryAt > 0;
      },
      90_000,
    );
    const ordering = t.running.processes.get('ordering')!;
    ordering.child.kill('SIGKILL');
    await ordering.exited;
    // Killed inside the backoff: the retry was not due yet, and only the timer row remembers it.
    const killedAt = Date.now();
    expect(killedAt).toBeLessThan(retryAt);
    const [timer] = (await t.pg.query(`SELECT due_at, reason FROM ordering.order_timer WHERE order_id = $1`, [orderId])).rows as {
      due_at: Date;
      reason: string;
    }[];
    expect(timer).toMatchObject({ reason: 'retry' });
    expect(new Date(timer.due_at).getTime()).toBe(retryAt);
    expect((await events(orderId)).map((e) => e.type)).not.toContain('StockReleased');

    // Catalog comes back, ordering stays down past the due time, then comes back too.
    await t.running.start('catalog');
    await sleep(Math.max(0, retryAt - Date.now()) + 1000);
    await t.running.start('ordering');

    await waitUntil(
      'the order to end',
      async () => (await t.pg.query(`SELECT status FROM ordering.order_view WHERE id = $1`, [orderId])).rows[0].status !== 'COMPENSATING',
      90_000,
    );
    await withDiagnostics(
      () => describeOrders(t.pg, [orderId]),
      async () => {
        const types = (await events(orderId)).map((e) => e.type);
        expect(types).toEqual(expect.arrayContaining(['StepTimedOut', 'PaymentRefunded', 'StepFailed', 'StockReleased', 'OrderRejected']));
        expect(types.filter((t) => t === 'StockReleased')).toHaveLength(1);
        expect((await t.pg.query(`SELECT status FROM ordering.order_view WHERE id = $1`, [orderId])).rows[0].status).toBe('REJECTED');
      },
    );
    expect(await reserved()).toBe(0);
    expect((await t.pg.query(`SELECT count(*)::int AS n FROM ordering.order_timer WHERE order_id = $1`, [orderId])).rows[0].n).toBe(0);
  }, 300_000);
});
