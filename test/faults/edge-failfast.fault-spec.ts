import { randomUUID } from 'node:crypto';
import { bearer, call } from '../support/http-harness';
import { createScratchDatabase, ScratchDatabase } from '../support/postgres';
import { RunningTopology, startTopology, stopService } from '../support/topology';

// The bounds: a stopped service answers the gateway's first call within 3.5 s (the 3 s
// deadline its retries share, plus the HTTP round trip), and within 200 ms once the breaker is open.
const FIRST_CALL_MS = 3500;
const OPEN_CALL_MS = 200;
const QUERY_DEADLINE_MS = 3000;

describe('the gateway fails fast within one deadline (split topology, catalog hung or killed)', () => {
  let scratch: ScratchDatabase;
  let running: RunningTopology;
  let productId: string;
  const read = () => call(running.baseUrl, 'GET', `/api/products/${productId}`);
  const readsAgain = async () => {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if ((await read()).status === 200) return true;
      await new Promise((r) => setTimeout(r, 300));
    }
    return false;
  };
  const timed = async <T>(work: () => Promise<T>) => {
    const started = performance.now();
    const result = await work();
    return { result, ms: performance.now() - started };
  };

  beforeAll(async () => {
    scratch = await createScratchDatabase('commerce_fault_failfast');
    // The edge's defaults (3 s query deadline, 2 retries, breaker at 5), but a short half-open wait.
    running = await startTopology('split', scratch.url, { SEED_DEMO_CATALOG: 'false', EDGE_BREAKER_HALF_OPEN_MS: '3000' });
    const created = await call(
      running.baseUrl,
      'POST',
      '/api/products',
      { sku: `F-${randomUUID().slice(0, 6)}`, name: 'Quick mug', category: 'c', price: { amount: 700, currency: 'EUR' }, initialStock: 2 },
      bearer(running.adminToken),
    );
    productId = created.body.id as string;
    expect((await read()).status).toBe(200); // the gateway has had an answer from catalog's query queue
  }, 180_000);

  afterAll(async () => {
    const catalog = running?.processes.get('catalog');
    if (catalog && catalog.child.exitCode === null && catalog.child.signalCode === null) catalog.child.kill('SIGCONT');
    await running?.close();
    await scratch?.drop();
  });

  it('answers 504 at the deadline, not after three full timeouts, while catalog hangs with its consumer still registered', async () => {
    const catalog = running.processes.get('catalog')!;
    catalog.child.kill('SIGSTOP');
    let hung: { result: Awaited<ReturnType<typeof read>>; ms: number };
    try {
      hung = await timed(read);
    } finally {
      catalog.child.kill('SIGCONT');
    }
    process.stdout.write(`hung catalog: first call ${hung.ms.toFixed(0)} ms\n`);
    expect(hung.result).toMatchObject({ status: 504, body: { status: 504, code: 'MESSAGING.TIMEOUT' } });
    expect(hung.result.headers.get('content-type')).toContain('application/problem+json');
    // The one attempt got what was left of the deadline: never more than the whole of it.
    const [, within] = /within (\d+) ms/.exec(String(hung.result.body.detail)) ?? [];
    expect(Number(within)).toBeGreaterThan(0);
    expect(Number(within)).toBeLessThanOrEqual(QUERY_DEADLINE_MS);
    expect(hung.ms).toBeLessThanOrEqual(FIRST_CALL_MS);
    expect(await readsAgain()).toBe(true);
  });

  it('answers 503 as soon as nothing consumes catalog queries, then fails within 200 ms once the breaker is open', async () => {
    await stopService(running.processes.get('catalog')!, 'SIGKILL');
    const first = await timed(read);
    process.stdout.write(`killed catalog: first call ${first.ms.toFixed(0)} ms\n`);
    expect(first.result).toMatchObject({ status: 503, body: { status: 503, code: 'MESSAGING.NO_CONSUMER' } });
    expect(first.result.headers.get('content-type')).toContain('application/problem+json');
    expect(String(first.result.body.detail)).toContain('catalog.get-product.v1');
    expect(first.ms).toBeLessThanOrEqual(FIRST_CALL_MS);

    const codes: string[] = [];
    for (let i = 0; i < 5 && codes.at(-1) !== 'EDGE.CIRCUIT_OPEN'; i++) {
      const next = await read();
      expect(next.status).toBe(503);
      codes.push(String(next.body.code));
    }
    expect(codes).toContain('EDGE.CIRCUIT_OPEN');
    const open = await timed(read);
    process.stdout.write(`killed catalog: breaker open, call ${open.ms.toFixed(0)} ms (codes before: ${codes.join(', ')})\n`);
    expect(open.result).toMatchObject({ status: 503, body: { code: 'EDGE.CIRCUIT_OPEN' } });
    expect(Number(open.result.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(open.ms).toBeLessThanOrEqual(OPEN_CALL_MS);
    // Readiness is as it was: the gateway stays ready and reports the open breaker.
    expect(await call(running.baseUrl, 'GET', '/health/ready')).toMatchObject({
      status: 200,
      body: { details: { dependencies: { status: 'up', degraded: true, breakers: { catalog: 'open' } } } },
    });

    await running.start('catalog');
    expect(await readsAgain()).toBe(true);
  });
});
