import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { MonolithModule } from '../../apps/monolith/monolith.module';
import { bearer, bootHttpApp, call, logIn, RunningApp } from '../support/http-harness';
import { createScratchDatabase, ScratchDatabase } from '../support/postgres';
import { TEST_AUTH } from '../support/topology';

// Bounded in count and time: a property run sends at most RUNS requests to 127.0.0.1.
const RUNS = Number(process.env.FUZZ_RUNS ?? 400);

describe('HTTP fuzz: hostile input to every route of the OpenAPI document', () => {
  let scratch: ScratchDatabase;
  let app: RunningApp;
  let routes: { method: string; path: string }[] = [];
  let adminToken = '';

  beforeAll(async () => {
    scratch = await createScratchDatabase('commerce_e2e_fuzz');
    app = await bootHttpApp(MonolithModule, { DATABASE_URL: scratch.url, SEED_DEMO_CATALOG: 'true', BODY_LIMIT_BYTES: '65536', ...TEST_AUTH });
    const doc = await call(app.baseUrl, 'GET', '/docs-json');
    const paths = doc.body.paths as Record<string, Record<string, unknown>>;
    routes = Object.entries(paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => ({ method: method.toUpperCase(), path })));
    adminToken = await logIn(app.baseUrl, TEST_AUTH.ADMIN_EMAIL, TEST_AUTH.ADMIN_PASSWORD);
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await scratch?.drop();
  });

  it('finds routes to fuzz', () => {
    expect(routes.length).toBeGreaterThan(15);
  });

  it('never answers 5xx, never hangs, and always explains errors as problem+json', async () => {
    const segment = fc.oneof(
      fc.uuid(),
      fc.constant(randomUUID()),
      fc.string({ maxLength: 40 }),
      fc.constantFrom('..', '%00', '%2e%2e', "' OR 1=1 --", 'null', '-1', '1e309'),
    );
    const body = fc.oneof(
      fc.jsonValue({ maxDepth: 4 }),
      fc.string({ maxLength: 300 }),
      fc.record(
        {
          sku: fc.string(),
          name: fc.jsonValue(),
          price: fc.jsonValue(),
          lines: fc.array(fc.jsonValue(), { maxLength: 60 }),
          email: fc.string(),
          password: fc.string(),
        },
        { requiredKeys: [] },
      ),
      fc.constantFrom(
        '{"__proto__":{"admin":true}}',
        '{"constructor":{"prototype":{"x":1}}}',
        '[]',
        'null',
        '{',
        '{"a":' + '['.repeat(200) + ']'.repeat(200) + '}',
      ),
    );
    const query = fc.dictionary(
      fc.constantFrom('limit', 'offset', 'q', 'category', 'status', 'x', '__proto__'),
      fc.oneof(fc.string({ maxLength: 30 }), fc.integer().map(String)),
      { maxKeys: 4 },
    );
    const auth = fc.constantFrom<'none' | 'admin' | 'garbage'>('none', 'admin', 'garbage');
    const contentType = fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1', '');

    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: 10_000 }),
        fc.array(segment, { minLength: 3, maxLength: 3 }),
        body,
        query,
        auth,
        contentType,
        async (pick, segments, payload, params, who, type) => {
          const route = routes[pick % routes.length];
          let i = 0;
          const path = route.path.replace(/\{[^}]+\}/g, () => encodeURIComponent(segments[i++ % segments.length]));
          const search = new URLSearchParams(params as Record<string, string>).toString();
          const headers: Record<string, string> = { ...(who === 'admin' ? bearer(adminToken) : who === 'garbage' ? { authorization: 'Bearer a.b.c' } : {}) };
          const hasBody = !['GET', 'DELETE'].includes(route.method);
          if (hasBody && type) headers['content-type'] = type;
          const res = await fetch(`${app.baseUrl}${path}${search ? `?${search}` : ''}`, {
            method: route.method,
            headers,
            body: hasBody ? (typeof payload === 'string' ? payload : JSON.stringify(payload)) : undefined,
            signal: AbortSignal.timeout(10_000),
          });
          const text = await res.text();
          if (res.status >= 500) throw new Error(`${route.method} ${path} answered ${res.status}: ${text.slice(0, 300)}`);
          if (res.status >= 400) expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        },
      ),
      { numRuns: RUNS, interruptAfterTimeLimit: 90_000, markInterruptAsFailure: false },
    );
  }, 120_000);
});
