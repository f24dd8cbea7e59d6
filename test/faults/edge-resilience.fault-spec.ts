import { randomUUID } from 'node:crypto';
import { bearer, call, newCustomer } from '../support/http-harness';
import { createScratchDatabase, ScratchDatabase } from '../support/postgres';
import { RunningTopology, startTopology } from '../support/topology';
import { TEST_ADDRESS } from '../support/fixtures';

const address = TEST_ADDRESS;

describe('resilient calls from the gateway (split topology, services stopped)', () => {
  let scratch: ScratchDatabase;
  let running: RunningTopology;

  beforeAll(async () => {
    scratch = await createScratchDatabase('commerce_fault_edge');
    running = await startTopology('split', scratch.url, {
      SEED_DEMO_CATALOG: 'false',
      EDGE_BREAKER_THRESHOLD: '3',
      EDGE_BREAKER_HALF_OPEN_MS: '5000',
      EDGE_QUERY_TIMEOUT_MS: '400',
      EDGE_QUERY_RETRIES: '0',
      EDGE_COMPOSE_TIMEOUT_MS: '700',
    });
  }, 180_000);

  afterAll(async () => {
    await running?.close();
    await scratch?.drop();
  });

  it('answers order details partially while identity is down, and fails product reads fast once the breaker opens', async () => {
    const base = running.baseUrl;
    const admin = bearer(running.adminToken);
    const productId = (
      await call(
        base,
        'POST',
        '/api/products',
        { sku: `R-${randomUUID().slice(0, 6)}`, name: 'Sturdy mug', category: 'c', price: { amount: 900, currency: 'EUR' }, initialStock: 3 },
        admin,
      )
    ).body.id as string;
    const customer = await newCustomer(base);
    const orderId = (
      await call(
        base,
        'POST',
        '/api/orders',
        { lines: [{ productId, quantity: 1 }], shippingAddress: address, paymentToken: 'tok_visa', email: customer.email },
        customer.auth,
      )
    ).body.orderId as string;

    const whole = await call(base, 'GET', `/api/orders/${orderId}/details`, undefined, customer.auth);
    expect(whole.body).toMatchObject({ partial: false, missing: [], customer: { email: customer.email }, lines: [{ productId, currentName: 'Sturdy mug' }] });

    await running.stop('identity');
    const started = performance.now();
    const partial = await call(base, 'GET', `/api/orders/${orderId}/details`, undefined, customer.auth);
    expect(performance.now() - started).toBeLessThan(3000);
    expect(partial).toMatchObject({ status: 200, body: { partial: true, missing: ['customer'], customer: null, lines: [{ currentName: 'Sturdy mug' }] } });

    await running.stop('catalog');
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await call(base, 'GET', `/api/products/${productId}`)).status);
    expect(statuses.every((s) => s === 504 || s === 503)).toBe(true);
    const fastStart = performance.now();
    const open = await call(base, 'GET', `/api/products/${productId}`);
    expect(performance.now() - fastStart).toBeLessThan(200);
    expect(open).toMatchObject({ status: 503, body: { code: 'EDGE.CIRCUIT_OPEN' } });
    expect(Number(open.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await call(base, 'GET', '/health/live')).status).toBe(200);
    const ready = await call(base, 'GET', '/health/ready');
    expect(ready).toMatchObject({ status: 200, body: { details: { dependencies: { status: 'up', degraded: true, breakers: { catalog: 'open' } } } } });

    await running.start('catalog');
    const deadline = Date.now() + 60_000;
    let status = 0;
    while (Date.now() < deadline && status !== 200) {
      status = (await call(base, 'GET', `/api/products/${productId}`)).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 300));
    }
    expect(status).toBe(200);
    await running.start('identity');
  }, 120_000);
});
