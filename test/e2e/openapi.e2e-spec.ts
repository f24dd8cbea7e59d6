import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { createScratchDatabase, ScratchDatabase } from '../support/postgres';
import { newCustomer } from '../support/http-harness';
import { breakingHttpChanges, releasedForm, type OpenApi } from '../support/openapi-compatibility';
import { RunningTopology, startTopology } from '../support/topology';

type Media = Record<string, { schema?: object }>;
type Operation = { operationId: string; responses: Record<string, { content?: Media }> };
type Document = { paths: Record<string, Record<string, Operation>> };
type Answer = { method: string; path: string; status: number; type: string; body: string };

const ROOT = resolve(__dirname, '../..');
const run = promisify(execFile);
const UNKNOWN = '00000000-0000-4000-8000-000000000000';
// The HTTP contract as released (committed, keys sorted, no servers). A release refreshes it:
// UPDATE_RELEASED_CONTRACTS=1 E2E_TOPOLOGIES=monolith npm run jest -- test/e2e/openapi.e2e-spec.ts (docs/adr/0014).
const RELEASED = resolve(ROOT, 'libs/contracts/released/openapi.json');

describe('the OpenAPI document', () => {
  let scratch: ScratchDatabase;
  let running: RunningTopology;
  let document: Document;
  const answers: Answer[] = [];

  /** Sends a request and records the answer for validation against the document. */
  const send = async (method: string, path: string, options: { token?: string; body?: unknown; type?: string } = {}) => {
    const headers: Record<string, string> = options.token ? { authorization: `Bearer ${options.token}` } : {};
    if (options.body !== undefined) headers['content-type'] = options.type ?? 'application/json';
    const response = await fetch(running.baseUrl + path, {
      method,
      headers,
      body: options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
      signal: AbortSignal.timeout(15_000),
    });
    const answer = {
      method: method.toLowerCase(),
      path,
      status: response.status,
      type: response.headers.get('content-type') ?? '',
      body: await response.text(),
    };
    answers.push(answer);
    return { ...answer, json: answer.body ? (JSON.parse(answer.body) as Record<string, unknown>) : {} };
  };

  beforeAll(async () => {
    scratch = await createScratchDatabase('commerce_e2e_openapi');
    running = await startTopology('monolith', scratch.url, {
      SEED_DEMO_CATALOG: 'true',
      PUBLIC_URL: 'https://shop.commerce-kit.dev',
      BODY_LIMIT_BYTES: '4096',
    });
    document = (await (await fetch(`${running.baseUrl}/docs-json`)).json()) as Document;
  });

  afterAll(async () => {
    await running?.close();
    await scratch?.drop();
  });

  it("passes Redocly's recommended rules with no error and no warning", async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'openapi-')), 'openapi.json');
    writeFileSync(file, JSON.stringify(document));
    const cli = resolve(ROOT, 'node_modules/@redocly/cli/bin/cli.js');
    const env = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' };
    const out = await run(process.execPath, [cli, 'lint', file, '--extends', 'recommended', '--format', 'json'], { env, timeout: 60_000 }).catch(
      (e: { stdout: string }) => e,
    );
    const report = JSON.parse(out.stdout) as { totals: object; problems: { ruleId: string; message: string; location: { pointer: string }[] }[] };
    expect(report.problems.map((p) => `${p.ruleId} ${p.location[0]?.pointer}: ${p.message}`)).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  });

  it('breaks nothing a client of the released HTTP contract relies on', () => {
    const current = releasedForm(document);
    if (process.env.UPDATE_RELEASED_CONTRACTS === '1') writeFileSync(RELEASED, `${JSON.stringify(current, null, 2)}\n`);
    expect(existsSync(RELEASED)).toBe(true);
    const released = JSON.parse(readFileSync(RELEASED, 'utf8')) as OpenApi;
    expect(Object.keys(released.paths).length).toBeGreaterThan(0);
    expect(breakingHttpChanges(released, current)).toEqual([]);
  });

  it('serves the AsyncAPI document of the messages beside it, without a token', async () => {
    const response = await fetch(`${running.baseUrl}/docs/asyncapi.json`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ asyncapi: expect.stringMatching(/^3\./), channels: { 'ordering.place-order.v1': expect.any(Object) } });
  });

  it('names the configured public address as its server', () => {
    expect((document as unknown as { servers: unknown }).servers).toEqual([{ url: 'https://shop.commerce-kit.dev', description: expect.any(String) }]);
  });

  it('refuses at the edge what the message contract refuses: a blank name is a 400 naming the field', async () => {
    const customer = await newCustomer(running.baseUrl);
    const register = await send('POST', '/api/auth/register', {
      body: { email: `b-${randomUUID().slice(0, 8)}@example.com`, password: 'violet-harbor-42-lantern', name: '   ' },
    });
    const rename = await send('PATCH', '/api/me', { token: customer.token, body: { name: ' ' } });
    const order = await send('POST', '/api/orders', {
      token: customer.token,
      body: {
        lines: [{ productId: UNKNOWN, quantity: 1 }],
        paymentToken: 'tok_visa',
        email: customer.email,
        shippingAddress: { name: '  ', line1: 'Main St 1', city: 'Berlin', postalCode: '10115', country: 'DE' },
      },
    });
    const product = await send('POST', '/api/products', {
      token: running.adminToken,
      body: { sku: `B-${randomUUID().slice(0, 8)}`, name: ' ', category: 'kitchen', price: { amount: 100, currency: 'EUR' } },
    });
    for (const [answer, path] of [
      [register, 'name'],
      [rename, 'name'],
      [order, 'shippingAddress.name'],
      [product, 'name'],
    ] as const) {
      expect({ status: answer.status, type: answer.type }).toEqual({ status: 400, type: expect.stringMatching(/^application\/problem\+json/) });
      expect(answer.json.errors).toEqual([{ path, message: expect.stringContaining('>=1 characters') }]);
    }
  });

  it('describes every real answer of every route: documented status, media type and body', async () => {
    const admin = running.adminToken;
    const customer = await newCustomer(running.baseUrl);
    const email = `r-${randomUUID().slice(0, 8)}@example.com`;
    const registered = await send('POST', '/api/auth/register', { body: { email, password: 'violet-harbor-42-lantern', name: 'Ada' } });
    await send('POST', '/api/auth/register', { body: { email, password: 'violet-harbor-42-lantern', name: 'Ada' } });
    await send('POST', '/api/auth/register', { body: { email: 'x', password: '', name: '' } });
    const session = (await send('POST', '/api/auth/login', { body: { email, password: 'violet-harbor-42-lantern' } })).json;
    await send('POST', '/api/auth/login', { body: { email, password: 'wrong-password-123' } });
    const refreshed = (await send('POST', '/api/auth/refresh', { body: { refreshToken: session.refreshToken } })).json;
    await send('POST', '/api/auth/refresh', { body: { refreshToken: 'not-a-token' } });
    await send('POST', '/api/auth/logout', { body: { refreshToken: refreshed.refreshToken } });
    await send('GET', '/api/me', { token: customer.token });
    await send('GET', '/api/me');
    await send('PATCH', '/api/me', { token: customer.token, body: { name: 'Ada L.' } });
    await send('PATCH', '/api/me', { token: customer.token, body: { name: '' } });
    expect(registered.status).toBe(201);

    const products = (await send('GET', '/api/products?q=mug')).json as { items: { id: string }[] };
    await send('GET', '/api/products?limit=1000');
    const product = { sku: `OA-${randomUUID().slice(0, 8)}`, name: 'Mug', category: 'kitchen', price: { amount: 900, currency: 'EUR' }, initialStock: 5 };
    const created = (await send('POST', '/api/products', { token: admin, body: product })).json;
    await send('POST', '/api/products', { token: admin, body: product });
    await send('POST', '/api/products', { token: customer.token, body: product });
    await send('POST', '/api/products', { token: admin, body: { ...product, price: 'free' } });
    await send('GET', `/api/products/${created.id}`);
    await send('GET', `/api/products/${UNKNOWN}`);
    await send('GET', '/api/products/not-a-uuid');
    await send('PATCH', `/api/products/${created.id}`, { token: admin, body: { name: 'Big mug' } });
    await send('GET', `/api/products/${created.id}/stock`);
    await send('POST', `/api/products/${created.id}/stock`, { token: admin, body: { delta: 3 } });
    await send('POST', `/api/products/${created.id}/stock`, { token: admin, body: { delta: -1000 } });

    const order = {
      lines: [{ productId: products.items[0].id, quantity: 1 }],
      paymentToken: 'tok_visa',
      email: customer.email,
      shippingAddress: { name: 'Ada', line1: 'Main St 1', city: 'Berlin', postalCode: '10115', country: 'DE' },
    };
    const placed = (await send('POST', '/api/orders', { token: customer.token, body: order })).json;
    await send('POST', '/api/orders', { token: customer.token, body: { ...order, lines: [] } });
    await send('POST', '/api/orders', { token: customer.token, body: 'lines=1', type: 'application/x-www-form-urlencoded' });
    await send('POST', '/api/orders', { token: customer.token, body: { ...order, email: 'x'.repeat(5000) } });
    await send('GET', '/api/orders', { token: customer.token });
    await send('GET', '/api/orders');
    await send('GET', `/api/orders/${placed.orderId}`, { token: customer.token });
    await send('GET', `/api/orders/${UNKNOWN}`, { token: customer.token });
    await send('GET', `/api/orders/${placed.orderId}/details`, { token: customer.token });
    await send('POST', `/api/orders/${placed.orderId}/cancel`, { token: customer.token });
    await send('GET', '/api/reports/sales?from=2026-01-01&to=2026-12-31', { token: admin });
    await send('GET', '/api/reports/sales?from=yesterday', { token: admin });
    await send('GET', '/api/reports/sales', { token: customer.token });
    await send('GET', '/api/me/orders', { token: customer.token });
    await send('GET', '/api/admin/projections', { token: admin });
    await send('POST', '/api/admin/projections/no_such_projection/rebuild', { token: admin });
    await send('POST', '/api/admin/projections/Bad-Name/retry', { token: admin });
    await send('POST', '/api/admin/projections/no_such_projection/retry', { token: admin });
    await send('GET', '/api/admin/dead-letters/catalog', { token: admin });
    await send('GET', '/api/admin/dead-letters/catalog', { token: customer.token });
    await send('GET', '/api/admin/dead-letters/catalog?limit=101', { token: admin });
    await send('GET', `/api/admin/dead-letters/catalog/${UNKNOWN}`, { token: admin });
    await send('POST', `/api/admin/dead-letters/catalog/${UNKNOWN}/replay`, { token: admin });
    await send('DELETE', `/api/admin/dead-letters/catalog/${UNKNOWN}`, { token: admin });

    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema({ ...document, $id: 'openapi' }, undefined, undefined, false);
    const routes = Object.entries(document.paths).flatMap(([template, item]) =>
      Object.entries(item).map(([method, op]) => ({ method, op, pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`), template })),
    );
    const problems: string[] = [];
    const seen = new Set<string>();
    for (const a of answers) {
      const route = routes.find((r) => r.method === a.method && r.pattern.test(a.path.split('?')[0]));
      const label = `${a.method.toUpperCase()} ${a.path} → ${a.status}`;
      if (!route) {
        problems.push(`${label}: no operation`);
        continue;
      }
      seen.add(route.op.operationId);
      const response = route.op.responses[a.status];
      if (!response) {
        problems.push(`${label}: status not documented (${a.body.slice(0, 120)})`);
        continue;
      }
      if (!a.body) continue;
      const mediaType = Object.keys(response.content ?? {}).find((m) => a.type.startsWith(m));
      if (!mediaType) {
        problems.push(`${label}: ${a.type} not documented`);
        continue;
      }
      if (!response.content![mediaType].schema) continue;
      const pointer = ['paths', route.template, route.method, 'responses', String(a.status), 'content', mediaType, 'schema']
        .map((p) => p.replaceAll('~', '~0').replaceAll('/', '~1'))
        .join('/');
      const validate = ajv.getSchema(`openapi#/${pointer}`)!;
      if (!validate(JSON.parse(a.body))) problems.push(`${label}: ${ajv.errorsText(validate.errors)}`);
    }
    expect(problems).toEqual([]);
    expect(routes.map((r) => r.op.operationId).filter((id) => !seen.has(id))).toEqual([]);
  });
});
