import { createScratchDatabase, ScratchDatabase } from '../support/postgres';
import { RunningTopology, startTopology } from '../support/topology';

type Schema = { $ref?: string; allOf?: Schema[]; example?: unknown; type?: string; properties?: Record<string, Schema>; items?: Schema };
type Operation = { requestBody?: { content: Record<string, { schema: Schema }> }; responses: Record<string, unknown> };
type Document = { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Schema> } };

/**
 * Every operation with a request body, in the order a reader of /docs would try them (the account
 * first, its token then used), with who calls it. A new operation with a body fails the test until
 * it is listed here.
 */
const SCENARIO = [
  { op: 'POST /api/auth/register', as: 'nobody' },
  { op: 'POST /api/auth/login', as: 'nobody' },
  // The documented refresh token is an example: no session can have it.
  { op: 'POST /api/auth/refresh', as: 'nobody', expect: 401, code: 'IDENTITY.INVALID_REFRESH_TOKEN' },
  { op: 'POST /api/auth/logout', as: 'nobody' },
  { op: 'PATCH /api/me', as: 'customer' },
  // The documented product id is an example: no product has it.
  { op: 'POST /api/orders', as: 'customer', expect: 400, code: 'ORDERING.UNKNOWN_PRODUCT' },
  // {id}: the product the example above created.
  { op: 'POST /api/products', as: 'admin' },
  { op: 'PATCH /api/products/{id}', as: 'admin' },
  { op: 'POST /api/products/{id}/stock', as: 'admin' },
  // The order example again, its product id replaced by the created product's: the order is accepted.
  { op: 'POST /api/orders', as: 'customer', withCreatedProduct: true },
] as const;
type Step = { op: string; as: string; expect?: number; code?: string; withCreatedProduct?: boolean };
const EXAMPLE_PRODUCT = '3f0c9a5e-8b1d-4c2e-9a7f-1d2e3f4a5b6c';

/** The example body Swagger UI shows: a schema's own example, else one composed from its properties'. */
function exampleOf(schema: Schema, document: Document, missing: string[], at: string): unknown {
  if (schema.$ref) return exampleOf(document.components.schemas[schema.$ref.replace('#/components/schemas/', '')], document, missing, at);
  if (schema.example !== undefined) return schema.example;
  if (schema.allOf) return Object.assign({}, ...schema.allOf.map((part) => exampleOf(part, document, missing, at)));
  if (schema.items) return [exampleOf(schema.items, document, missing, `${at}[]`)];
  if (schema.properties)
    return Object.fromEntries(Object.entries(schema.properties).map(([name, s]) => [name, exampleOf(s, document, missing, `${at}.${name}`)]));
  missing.push(at);
  return undefined;
}

describe('the Swagger examples of every request body', () => {
  let scratch: ScratchDatabase;
  let running: RunningTopology;
  let document: Document;

  beforeAll(async () => {
    scratch = await createScratchDatabase('commerce_e2e_examples');
    running = await startTopology('monolith', scratch.url, { SEED_DEMO_CATALOG: 'false' });
    document = (await (await fetch(`${running.baseUrl}/docs-json`)).json()) as Document;
  });

  afterAll(async () => {
    await running?.close();
    await scratch?.drop();
  });

  it('lists every operation that takes a body, and each documents an example for every field', () => {
    const withBody = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([, op]) => op.requestBody)
        .map(([method]) => `${method.toUpperCase()} ${path}`),
    );
    expect(withBody.sort()).toEqual([...new Set(SCENARIO.map((s) => s.op))].sort());
    const missing: string[] = [];
    for (const op of withBody) {
      const [method, path] = op.split(' ');
      exampleOf(document.paths[path][method.toLowerCase()].requestBody!.content['application/json'].schema, document, missing, op);
    }
    expect(missing).toEqual([]);
  });

  it('answers each example with its documented success, or the documented error listed for it', async () => {
    const tokens: Record<string, string> = { admin: running.adminToken };
    let productId = '';
    const failures: string[] = [];
    for (const step of SCENARIO as readonly Step[]) {
      const [method, template] = step.op.split(' ');
      const operation = document.paths[template][method.toLowerCase()];
      const body = exampleOf(operation.requestBody!.content['application/json'].schema, document, [], step.op);
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (step.as !== 'nobody') headers.authorization = `Bearer ${tokens[step.as]}`;
      const response = await fetch(running.baseUrl + template.replace('{id}', productId), {
        method,
        headers,
        body: step.withCreatedProduct ? JSON.stringify(body).replaceAll(EXAMPLE_PRODUCT, productId) : JSON.stringify(body),
        signal: AbortSignal.timeout(15_000),
      });
      const text = await response.text();
      const json = (text ? JSON.parse(text) : {}) as { accessToken?: string; id?: string; code?: string };
      if (step.op === 'POST /api/auth/login' && json.accessToken) tokens.customer = json.accessToken;
      if (step.op === 'POST /api/products' && json.id) productId = json.id;
      const documented = Object.keys(operation.responses).map(Number);
      const wanted = step.expect ? [step.expect] : documented.filter((s) => s >= 200 && s < 300);
      if (!wanted.includes(response.status) || !documented.includes(response.status) || json.code !== step.code)
        failures.push(`${step.op} answered ${response.status}, wanted ${wanted.join(' or ')} ${step.code ?? ''}: ${text.slice(0, 300)}`);
    }
    expect(failures).toEqual([]);
    expect({ customer: Boolean(tokens.customer), product: Boolean(productId) }).toEqual({ customer: true, product: true });
  });
});
