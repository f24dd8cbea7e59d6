import { randomUUID } from 'node:crypto';
import { bearer, call as rawCall } from '../support/http-harness';
import { CATALOG_READ_TOPOLOGIES, isSplit, RunningTopology, startTopology, TOPOLOGIES } from '../support/topology';
import { createScratchDatabase, ScratchDatabase } from '../support/postgres';

/** The catalog suites act as the admin (catalog writes and the DLQ API need that role); auth has its own suite. */
let adminToken = '';
const call = (baseUrl: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  rawCall(baseUrl, method, path, body, { ...bearer(adminToken), ...headers });

const product = (overrides: Record<string, unknown> = {}) => ({
  sku: `E2E-${randomUUID().slice(0, 8)}`,
  name: 'Trail running shoe',
  description: 'Lightweight shoe with a grippy outsole',
  category: 'footwear',
  price: { amount: 8999, currency: 'EUR' },
  initialStock: 5,
  ...overrides,
});

const expectProblem = (res: { status: number; headers: Headers; body: Record<string, unknown> }, status: number, code?: string) => {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ status, title: expect.any(String), type: expect.any(String), ...(code ? { code } : {}) });
};

describe.each(CATALOG_READ_TOPOLOGIES)('catalog over HTTP, topology %s', (topology) => {
  let scratch: ScratchDatabase;
  let running: RunningTopology;
  let base: string;

  beforeAll(async () => {
    scratch = await createScratchDatabase('commerce_e2e_catalog');
    running = await startTopology(topology, scratch.url, { SEED_DEMO_CATALOG: 'true', BODY_LIMIT_BYTES: '65536' });
    base = running.baseUrl;
    adminToken = running.adminToken;
  }, 180_000);

  afterAll(async () => {
    await running?.close();
    await scratch?.drop();
  });

  it('lists the catalog routes in the OpenAPI document and serves Swagger UI', async () => {
    const doc = await call(base, 'GET', '/docs-json');
    expect(doc.status).toBe(200);
    const paths = doc.body.paths as Record<string, Record<string, unknown>>;
    expect(Object.keys(paths['/api/products']).sort()).toEqual(['get', 'post']);
    expect(Object.keys(paths['/api/products/{id}']).sort()).toEqual(['get', 'patch']);
    expect(Object.keys(paths['/api/products/{id}/stock']).sort()).toEqual(['get', 'post']);
    const ui = await fetch(`${base}/docs`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('swagger-ui');
  });

  it('reports live and ready', async () => {
    expect((await call(base, 'GET', '/health/live')).status).toBe(200);
    const ready = await call(base, 'GET', '/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.details).toMatchObject({ bus: { status: 'up' } });
    if (!isSplit(topology)) expect(ready.body.details).toMatchObject({ 'database:catalog': { status: 'up' }, outbox: { status: 'up' } });
  });

  it('loads the demo catalog on first start', async () => {
    const page = await call(base, 'GET', '/api/products?category=outdoor');
    expect(page.body.total).toBeGreaterThanOrEqual(3);
  });

  it('creates, gets, lists, searches and updates a product', async () => {
    const created = await call(base, 'POST', '/api/products', product({ sku: 'E2E-SHOE-1', name: 'Zephyr trail shoe' }));
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/api/products/${created.body.id}`);
    expect(created.body).toMatchObject({ sku: 'E2E-SHOE-1', price: { amount: 8999, currency: 'EUR' }, version: 1 });

    const fetched = await call(base, 'GET', `/api/products/${created.body.id}`);
    expect(fetched.body).toEqual(created.body);

    const search = await call(base, 'GET', '/api/products?q=zephyr');
    expect(search.body.items).toEqual([expect.objectContaining({ id: created.body.id })]);
    const byDescription = await call(base, 'GET', '/api/products?q=grippy%20outsole');
    expect((byDescription.body.items as { id: string }[]).map((p) => p.id)).toContain(created.body.id);

    const updated = await call(base, 'PATCH', `/api/products/${created.body.id}`, { price: { amount: 7999, currency: 'EUR' }, name: 'Zephyr trail shoe v2' });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({
      name: 'Zephyr trail shoe v2',
      price: { amount: 7999, currency: 'EUR' },
      version: 2,
      description: 'Lightweight shoe with a grippy outsole',
    });
  });

  it('pages through a category', async () => {
    const category = `cat-${randomUUID().slice(0, 6)}`;
    for (let i = 0; i < 5; i++) await call(base, 'POST', '/api/products', product({ category, name: `Item ${i}` }));
    const first = await call(base, 'GET', `/api/products?category=${category}&limit=2&offset=0`);
    const last = await call(base, 'GET', `/api/products?category=${category}&limit=2&offset=4`);
    expect(first.body).toMatchObject({ total: 5, limit: 2, offset: 0 });
    expect((first.body.items as { name: string }[]).map((p) => p.name)).toEqual(['Item 0', 'Item 1']);
    expect((last.body.items as { name: string }[]).map((p) => p.name)).toEqual(['Item 4']);
  });

  it('reads and adjusts stock, never below zero', async () => {
    const created = await call(base, 'POST', '/api/products', product({ initialStock: 3 }));
    const id = created.body.id as string;
    expect((await call(base, 'GET', `/api/products/${id}/stock`)).body).toEqual({ productId: id, available: 3, reserved: 0, committed: 0 });
    const adjusted = await call(base, 'POST', `/api/products/${id}/stock`, { delta: 7, reason: 'goods received' });
    expect(adjusted).toMatchObject({ status: 200, body: { available: 10 } });
    expectProblem(await call(base, 'POST', `/api/products/${id}/stock`, { delta: -11, reason: 'count' }), 409, 'CATALOG.STOCK_WOULD_GO_NEGATIVE');
  });

  it('answers 404 problem+json for an unknown product and route', async () => {
    expectProblem(await call(base, 'GET', `/api/products/${randomUUID()}`), 404, 'CATALOG.PRODUCT_NOT_FOUND');
    expectProblem(await call(base, 'PATCH', `/api/products/${randomUUID()}`, { name: 'x' }), 404, 'CATALOG.PRODUCT_NOT_FOUND');
    expectProblem(await call(base, 'GET', `/api/products/${randomUUID()}/stock`), 404, 'CATALOG.PRODUCT_NOT_FOUND');
    expectProblem(await call(base, 'GET', '/api/nothing-here'), 404);
  });

  it('rejects a duplicate SKU with 409', async () => {
    const body = product();
    expect((await call(base, 'POST', '/api/products', body)).status).toBe(201);
    expectProblem(await call(base, 'POST', '/api/products', body), 409, 'CATALOG.SKU_TAKEN');
  });

  describe('bad input', () => {
    it('rejects an unknown field, naming it', async () => {
      const res = await call(base, 'POST', '/api/products', { ...product(), colour: 'red' });
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(res.body.errors).toContainEqual({ path: 'colour', message: expect.stringContaining('should not exist') });
    });

    it('rejects unknown nested fields too', async () => {
      expectProblem(await call(base, 'POST', '/api/products', product({ price: { amount: 1, currency: 'EUR', tax: 3 } })), 400, 'VALIDATION_FAILED');
    });

    it.each([
      ['a string price', { price: { amount: '10', currency: 'EUR' } }],
      ['a fractional price', { price: { amount: 10.5, currency: 'EUR' } }],
      ['a negative price', { price: { amount: -1, currency: 'EUR' } }],
      ['a lower-case currency', { price: { amount: 1, currency: 'eur' } }],
      ['a missing price', { price: undefined }],
      ['a numeric name', { name: 42 }],
      ['an empty sku', { sku: '' }],
      ['an over-long name', { name: 'x'.repeat(201) }],
      ['negative opening stock', { initialStock: -1 }],
    ])('rejects %s with 400', async (_label, overrides) => {
      expectProblem(await call(base, 'POST', '/api/products', product(overrides)), 400, 'VALIDATION_FAILED');
    });

    it('rejects malformed JSON with 400', async () => {
      expectProblem(await call(base, 'POST', '/api/products', '{"sku": "x",'), 400);
    });

    it('rejects a body over the limit with 413', async () => {
      expectProblem(await call(base, 'POST', '/api/products', product({ description: 'x'.repeat(70_000) })), 413);
    });

    it('rejects a body that is not JSON with 415', async () => {
      expectProblem(await call(base, 'POST', '/api/products', 'sku=x', { 'content-type': 'application/x-www-form-urlencoded' }), 415);
    });

    it('rejects a malformed id, paging beyond the cap and a zero adjustment', async () => {
      expectProblem(await call(base, 'GET', '/api/products/not-a-uuid'), 400, 'VALIDATION_FAILED');
      expectProblem(await call(base, 'GET', '/api/products?limit=1000'), 400, 'VALIDATION_FAILED');
      expectProblem(await call(base, 'GET', '/api/products?offset=-1'), 400, 'VALIDATION_FAILED');
      expectProblem(await call(base, 'GET', '/api/products?limit=abc'), 400, 'VALIDATION_FAILED');
      expectProblem(await call(base, 'GET', '/api/products?surprise=1'), 400, 'VALIDATION_FAILED');
      const id = (await call(base, 'POST', '/api/products', product())).body.id as string;
      expectProblem(await call(base, 'POST', `/api/products/${id}/stock`, { delta: 0, reason: 'x' }), 400, 'VALIDATION_FAILED');
    });

    it('answers hostile bodies with a 4xx problem, never a 500', async () => {
      const hostile: unknown[] = [
        null,
        [],
        'null',
        '"text"',
        123,
        true,
        { price: null },
        { price: [] },
        { __proto__: { admin: true } },
        { constructor: { prototype: {} } },
      ];
      for (const body of hostile) {
        const res = await call(base, 'POST', '/api/products', typeof body === 'string' ? body : JSON.stringify(body));
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
        expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      }
    });
  });

  it('reads the catalog over gRPC in split-grpc, over the bus elsewhere', async () => {
    const id = (await call(base, 'POST', '/api/products', product())).body.id as string;
    expect((await call(base, 'GET', `/api/products/${id}`)).status).toBe(200);
    expect((await call(base, 'GET', `/api/products/${randomUUID()}`)).status).toBe(404);
    expect((await call(base, 'GET', `/api/products/${id}/stock`)).status).toBe(200);
    expect((await call(base, 'GET', '/api/products?category=footwear')).status).toBe(200);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    const calls = (rpc: string, code: string) =>
      Number(
        new RegExp(`commerce_grpc_client_duration_seconds_count\\{method="commerce\\.catalog\\.v1\\.CatalogQueries/${rpc}",code="${code}"\\} (\\d+)`).exec(
          metrics,
        )?.[1] ?? 0,
      );
    if (topology === 'split-grpc') {
      const seen = [calls('GetProduct', 'OK'), calls('GetProduct', 'NOT_FOUND'), calls('GetStock', 'OK'), calls('ListProducts', 'OK')];
      expect(seen.map((n) => n > 0)).toEqual([true, true, true, true]);
    } else {
      expect(metrics).not.toContain('commerce_grpc_client_duration_seconds');
    }
  });

  it('echoes a caller-supplied request id and makes one up otherwise', async () => {
    const mine = await call(base, 'GET', '/health/live', undefined, { 'x-request-id': 'trace-abc-123' });
    expect(mine.headers.get('x-request-id')).toBe('trace-abc-123');
    const made = await call(base, 'GET', '/health/live', undefined, { 'x-request-id': 'bad id with spaces' });
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('sends security headers', async () => {
    const res = await fetch(`${base}/api/products`);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
  });
});

describe.each(TOPOLOGIES)('dead-letter admin API, topology %s', (topology) => {
  let scratch: ScratchDatabase;
  let running: RunningTopology;

  beforeAll(async () => {
    scratch = await createScratchDatabase('commerce_e2e_dlq');
    running = await startTopology(topology, scratch.url, { SEED_DEMO_CATALOG: 'false' });
    adminToken = running.adminToken;
  }, 180_000);

  afterAll(async () => {
    await running?.close();
    await scratch?.drop();
  });

  it('lists an empty dead-letter queue, and answers 404 for an unknown letter and 400 for a bad service name', async () => {
    const service = isSplit(topology) ? 'catalog' : 'monolith';
    const list = await call(running.baseUrl, 'GET', `/api/admin/dead-letters/${service}`);
    expect(list).toMatchObject({ status: 200, body: { items: [], total: 0, offset: 0, limit: 20 } });
    expectProblem(await call(running.baseUrl, 'GET', `/api/admin/dead-letters/${service}/${randomUUID()}`), 404);
    expectProblem(await call(running.baseUrl, 'GET', `/api/admin/dead-letters/${service}?limit=101`), 400, 'VALIDATION_FAILED');
    expectProblem(await call(running.baseUrl, 'POST', `/api/admin/dead-letters/${service}/${randomUUID()}/replay`), 404);
    expectProblem(await call(running.baseUrl, 'DELETE', `/api/admin/dead-letters/${service}/${randomUUID()}`), 404);
    expectProblem(await call(running.baseUrl, 'GET', '/api/admin/dead-letters/Not_A_Service!'), 400, 'VALIDATION_FAILED');
  });
});
