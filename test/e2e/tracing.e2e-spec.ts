import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_ADDRESS } from '../support/fixtures';
import { bearer, call, newCustomer } from '../support/http-harness';
import { createScratchDatabase, ScratchDatabase } from '../support/postgres';
import { KIND, readSpans, TraceTree } from '../support/span-files';
import { RunningTopology, startTopology } from '../support/topology';
import { waitUntil } from '../support/wait-until';

describe('OpenTelemetry traces across the bus, split topology', () => {
  let scratch: ScratchDatabase;
  let running: RunningTopology;
  let spanDir: string;
  let mailDir: string;

  beforeAll(async () => {
    scratch = await createScratchDatabase('commerce_e2e_tracing');
    spanDir = mkdtempSync(join(tmpdir(), 'commerce-spans-'));
    mailDir = mkdtempSync(join(tmpdir(), 'commerce-mail-'));
    running = await startTopology('split', scratch.url, { SEED_DEMO_CATALOG: 'false', MAIL_DIR: mailDir, TRACE_FILE_DIR: spanDir, LOG_LEVEL: 'info' });
  }, 180_000);

  afterAll(async () => {
    await running?.close();
    await scratch?.drop();
    rmSync(spanDir, { recursive: true, force: true });
    rmSync(mailDir, { recursive: true, force: true });
  });

  it('follows one order from the HTTP request through every service, the outbox and the broker down to the SQL', async () => {
    const admin = bearer(running.adminToken);
    const customer = (await newCustomer(running.baseUrl)).auth;
    const productId = (
      await call(
        running.baseUrl,
        'POST',
        '/api/products',
        { sku: `T-${randomUUID().slice(0, 8)}`, name: 'Tracer', category: 'test', price: { amount: 700, currency: 'EUR' }, initialStock: 5 },
        admin,
      )
    ).body.id as string;

    // The caller's own trace context: the gateway must continue it.
    const traceId = randomBytes(16).toString('hex');
    const callerSpanId = randomBytes(8).toString('hex');
    const placed = await call(
      running.baseUrl,
      'POST',
      '/api/orders',
      { lines: [{ productId, quantity: 1 }], shippingAddress: TEST_ADDRESS, paymentToken: 'tok_visa', email: 't@example.com' },
      { ...customer, traceparent: `00-${traceId}-${callerSpanId}-01` },
    );
    expect(placed.status).toBe(202);
    const gateway = running.processes.get('gateway')!;
    await waitUntil('a gateway log line carrying the trace id', async () => gateway.output().includes(`"trace_id":"${traceId}"`), 15_000);

    const orderId = placed.body.orderId as string;
    await waitUntil(
      'the order to be confirmed',
      async () => (await call(running.baseUrl, 'GET', `/api/orders/${orderId}`, undefined, customer)).body.status === 'CONFIRMED',
      60_000,
    );
    let tree = new TraceTree([]);
    await waitUntil(
      "the confirmation handled by notifications, and every span's parent, to be exported",
      async () => {
        tree = new TraceTree(readSpans(spanDir).filter((s) => s.traceId === traceId));
        // Each process exports on its own schedule: wait until no exported span lacks its parent.
        const complete = tree.spans.every((s) => s.parentSpanId === callerSpanId || tree.byId.has(s.parentSpanId ?? ''));
        return complete && tree.find('notifications', 'process ordering.order-confirmed.v1', KIND.CONSUMER).length > 0;
      },
      30_000,
    );

    // The request is the root; every other span hangs off a span of this same trace.
    const server = tree.one('gateway', 'POST /api/orders', KIND.SERVER);
    expect(server.parentSpanId).toBe(callerSpanId);
    expect(server.attributes['http.route']).toBe('/api/orders');
    for (const span of tree.spans.filter((s) => s !== server))
      expect({ span: span.name, parentFound: tree.byId.has(span.parentSpanId ?? '') }).toEqual({ span: span.name, parentFound: true });

    // Gateway -> ordering: a PRODUCER send, the CONSUMER handling it in the other process is its child.
    const placeConsumer = tree.one('ordering', 'process ordering.place-order.v1', KIND.CONSUMER);
    const placeProducer = tree.parentOf(placeConsumer)!;
    expect(placeProducer).toMatchObject({ service: 'gateway', name: 'send ordering.place-order.v1', kind: KIND.PRODUCER });
    expect(tree.ancestors(placeProducer)).toContain(server);
    expect(placeConsumer.attributes).toMatchObject({ 'messaging.system': 'rabbitmq', 'messaging.operation.type': 'process' });
    expect(tree.sqlUnder(placeConsumer).length).toBeGreaterThan(0);

    // The saga's steps are spans of the order's trace, and each owner's handler and its SQL sit under its step.
    const owners: [string, string, string][] = [
      ['reserve-stock', 'catalog', 'catalog.reserve-stock.v1'],
      ['charge-payment', 'payments', 'payments.charge-payment.v1'],
      ['create-shipment', 'shipping', 'shipping.create-shipment.v1'],
      ['commit-stock', 'catalog', 'catalog.commit-stock.v1'],
    ];
    for (const [step, service, type] of owners) {
      const stepSpan = tree.one('ordering', `order step ${step}`);
      expect(stepSpan.attributes).toMatchObject({ 'order.id': orderId, 'order.step': step });
      expect(tree.ancestors(stepSpan)).toContain(placeConsumer);
      const consumer = tree.one(service, `process ${type}`, KIND.CONSUMER);
      const producer = tree.parentOf(consumer)!;
      expect(producer).toMatchObject({ service: 'ordering', name: `send ${type}`, kind: KIND.PRODUCER });
      expect(tree.ancestors(producer)).toContain(stepSpan);
      expect({ step, sql: tree.sqlUnder(consumer).length > 0 }).toEqual({ step, sql: true });
    }

    // Across the outbox: the row written in ordering is shipped later by the relay in the same trace.
    const notify = tree.one('notifications', 'process ordering.order-confirmed.v1', KIND.CONSUMER);
    const relaySend = tree.parentOf(notify)!;
    expect(relaySend).toMatchObject({ service: 'ordering', name: 'send ordering.order-confirmed.v1', kind: KIND.PRODUCER });
    const writer = tree.parentOf(relaySend)!;
    expect(writer.service).toBe('ordering');
    expect(tree.ancestors(writer)).toContain(server);
    expect(tree.sqlUnder(notify).length).toBeGreaterThan(0);
    // The services this one order crossed, all in one trace.
    expect([...new Set(tree.spans.map((s) => s.service))]).toEqual(
      expect.arrayContaining(['catalog', 'gateway', 'notifications', 'ordering', 'payments', 'shipping']),
    );
  }, 180_000);
});
