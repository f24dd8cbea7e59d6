import { connect } from 'amqplib';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { TEST_ADDRESS } from '../support/fixtures';
import { bearer, call, newCustomer } from '../support/http-harness';
import { createScratchDatabase, ScratchDatabase } from '../support/postgres';
import { declaredMetrics, Sample, scrape, sumOf } from '../support/prometheus-text';
import { deleteTopology, TEST_RABBITMQ_URL, uniquePrefix } from '../support/rabbitmq';
import { RunningTopology, SERVICES, startTopology } from '../support/topology';
import { waitUntil } from '../support/wait-until';

const TERMINAL = ['CONFIRMED', 'REJECTED', 'CANCELLED', 'COMPENSATION_FAILED'];

describe('Prometheus metrics, split topology', () => {
  const prefix = uniquePrefix();
  let scratch: ScratchDatabase;
  let running: RunningTopology;
  let mailDir: string;

  beforeAll(async () => {
    scratch = await createScratchDatabase('commerce_e2e_metrics');
    mailDir = mkdtempSync(join(tmpdir(), 'commerce-mail-'));
    running = await startTopology('split', scratch.url, { SEED_DEMO_CATALOG: 'false', MAIL_DIR: mailDir, OUTBOX_POLL_MS: '200', RMQ_PREFIX: prefix });
  }, 180_000);

  afterAll(async () => {
    await running?.close();
    await deleteTopology(prefix, ['gateway', ...SERVICES], [200, 400]);
    await scratch?.drop();
    rmSync(mailDir, { recursive: true, force: true });
  });

  const scrapeAll = async (): Promise<Record<string, Sample[]>> =>
    Object.fromEntries(await Promise.all([...running.processes].map(async ([name, p]) => [name, await scrape(p.baseUrl)] as const)));

  /** Publishes an event the notifications service cannot read: it must go straight to its DLQ. */
  const publishUnreadable = async (): Promise<void> => {
    const connection = await connect(TEST_RABBITMQ_URL);
    const channel = await connection.createConfirmChannel();
    channel.publish(`${prefix}.events`, 'ordering.order-confirmed.v1', Buffer.from('{"this is":"no envelope"}'), {
      persistent: true,
      type: 'ordering.order-confirmed.v1',
      messageId: randomUUID(),
    });
    await channel.waitForConfirms();
    await connection.close();
  };

  it('serves parseable Prometheus text on every process, with the standard process metrics', async () => {
    const all = await scrapeAll();
    expect(Object.keys(all).sort()).toEqual(['gateway', ...SERVICES].sort());
    for (const samples of Object.values(all)) expect(sumOf(samples, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
  });

  it('moves the counters by exactly what a confirmed order, a declined order and an unreadable event did', async () => {
    const admin = bearer(running.adminToken);
    const customer = (await newCustomer(running.baseUrl)).auth;
    const productId = (
      await call(
        running.baseUrl,
        'POST',
        '/api/products',
        { sku: `M-${randomUUID().slice(0, 8)}`, name: 'Gauge', category: 'test', price: { amount: 500, currency: 'EUR' }, initialStock: 10 },
        admin,
      )
    ).body.id as string;
    const before = await scrapeAll();

    const place = (paymentToken: string) =>
      call(
        running.baseUrl,
        'POST',
        '/api/orders',
        { lines: [{ productId, quantity: 1 }], shippingAddress: TEST_ADDRESS, paymentToken, email: 'm@example.com' },
        customer,
      );
    const placed = [await place('tok_visa'), await place('tok_declined')];
    expect(placed.map((p) => p.status)).toEqual([202, 202]);
    const ids = placed.map((p) => p.body.orderId as string);
    for (const id of ids) {
      await waitUntil(
        `order ${id} to settle`,
        async () => TERMINAL.includes((await call(running.baseUrl, 'GET', `/api/orders/${id}`, undefined, customer)).body.status as string),
        60_000,
      );
    }
    await publishUnreadable();

    const delta = (after: Record<string, Sample[]>, service: string, name: string, labels: Record<string, string> = {}) =>
      sumOf(after[service], name, labels) - sumOf(before[service], name, labels);
    let after = await scrapeAll();
    await waitUntil(
      'the notifications to be handled and the unreadable event parked',
      async () => {
        after = await scrapeAll();
        return (
          delta(after, 'notifications', 'commerce_messages_dead_lettered_total') >= 1 &&
          delta(after, 'notifications', 'commerce_messages_consumed_total', { type: 'ordering.order-rejected.v1' }) >= 1 &&
          delta(after, 'notifications', 'commerce_messages_consumed_total', { type: 'ordering.order-confirmed.v1' }) >= 2
        );
      },
      60_000,
    );

    // HTTP: two order placements, by route template.
    expect(delta(after, 'gateway', 'http_server_request_duration_seconds_count', { method: 'POST', route: '/api/orders', status_code: '202' })).toBe(2);
    expect(sumOf(after.gateway, 'http_server_request_duration_seconds_count', { method: 'GET', route: '/api/orders/:id' })).toBeGreaterThanOrEqual(2);

    // The saga: one order confirmed, one rejected; each step observed once per order that ran it.
    expect(delta(after, 'ordering', 'commerce_orders', { status: 'CONFIRMED' })).toBe(1);
    expect(delta(after, 'ordering', 'commerce_orders', { status: 'REJECTED' })).toBe(1);
    const step = (s: string, outcome: string) => delta(after, 'ordering', 'commerce_order_step_duration_seconds_count', { step: s, outcome });
    expect(step('reserve-stock', 'StockReserved')).toBe(2);
    expect(step('charge-payment', 'PaymentCaptured')).toBe(1);
    expect(step('charge-payment', 'PaymentFailed')).toBe(1);
    expect(step('create-shipment', 'ShipmentCreated')).toBe(1);
    expect(step('commit-stock', 'StockCommitted')).toBe(1);
    expect(step('release-stock', 'StockReleased')).toBe(1);

    // Commands handled by their owners, each once per order that needed it, none failed.
    const consumed = (service: string, type: string) => delta(after, service, 'commerce_messages_consumed_total', { type });
    expect(consumed('catalog', 'catalog.reserve-stock.v1')).toBe(2);
    expect(consumed('catalog', 'catalog.commit-stock.v1')).toBe(1);
    expect(consumed('catalog', 'catalog.release-stock.v1')).toBe(1);
    expect(consumed('payments', 'payments.charge-payment.v1')).toBe(2);
    expect(consumed('shipping', 'shipping.create-shipment.v1')).toBe(1);
    for (const service of ['catalog', 'payments', 'shipping']) expect(delta(after, service, 'commerce_messages_failed_total')).toBe(0);
    expect(delta(after, 'catalog', 'commerce_message_handling_duration_seconds_count', { type: 'catalog.reserve-stock.v1', outcome: 'success' })).toBe(2);

    // Events: the two real notifications handled, the unreadable one failed once and parked without retries.
    expect(consumed('notifications', 'ordering.order-confirmed.v1')).toBe(2);
    expect(consumed('notifications', 'ordering.order-rejected.v1')).toBe(1);
    expect(delta(after, 'notifications', 'commerce_messages_failed_total', { type: 'ordering.order-confirmed.v1' })).toBe(1);
    expect(delta(after, 'notifications', 'commerce_messages_failed_total', { type: 'ordering.order-rejected.v1' })).toBe(0);
    expect(delta(after, 'notifications', 'commerce_messages_retried_total')).toBe(0);
    expect(delta(after, 'notifications', 'commerce_messages_dead_lettered_total', { type: 'ordering.order-confirmed.v1' })).toBe(1);
    expect(delta(after, 'notifications', 'commerce_dead_letters', { service: 'notifications' })).toBe(1);

    // Every outbox drained; breakers closed; and no order id ever became a label value.
    await waitUntil('the outboxes to drain', async () => sumOf((await scrapeAll()).ordering, 'commerce_outbox_pending_messages') === 0, 30_000);
    expect(sumOf(after.ordering, 'commerce_outbox_oldest_age_seconds', { context: 'ordering' })).toBeGreaterThanOrEqual(0);
    expect(sumOf(after.gateway, 'commerce_edge_breaker_state', { target: 'ordering', state: 'closed' })).toBe(1);
    const labelValues = Object.values(after).flatMap((samples) => samples.flatMap((s) => Object.values(s.labels)));
    for (const id of [...ids, productId]) expect(labelValues.some((v) => v.includes(id))).toBe(false);

    // Every metric the provisioned Grafana dashboard charts is one the processes really expose.
    const dashboard = readFileSync(resolve(__dirname, '../../deploy/observability/grafana/commerce-kit.dashboard.json'), 'utf8');
    const charted = new Set([...dashboard.matchAll(/\b((?:commerce|http_server)_[a-z_]+?)(?:_bucket|_count|_sum)?\b/g)].map((m) => m[1]));
    const exposed = new Set((await Promise.all([...running.processes.values()].map((p) => declaredMetrics(p.baseUrl)))).flatMap((names) => [...names]));
    expect([...charted].filter((name) => !exposed.has(name))).toEqual([]);
    expect(charted.size).toBeGreaterThanOrEqual(10);

    // The operator's page on the gateway gathers every service's outbox and dead letters over the bus.
    const page = await call(running.baseUrl, 'GET', '/ops', undefined, admin);
    expect(page.status).toBe(200);
    const outboxes = String(page.body).split('id="outboxes"')[1];
    for (const service of SERVICES) expect(outboxes).toContain(`<td>${service}</td>`);
    expect(page.body).not.toContain('no answer');
  }, 180_000);
});
