import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { Client } from 'pg';
import { bearer, call, newCustomer } from '../support/http-harness';
import { TEST_ADDRESS } from '../support/fixtures';
import { createScratchDatabase, ScratchDatabase } from '../support/postgres';
import { RunningTopology, startTopology, TOPOLOGIES } from '../support/topology';
import { waitUntil } from '../support/wait-until';

const TERMINAL = ['CONFIRMED', 'REJECTED', 'CANCELLED', 'COMPENSATION_FAILED'];
type SalesRow = { day: string; productId: string; units: number; revenue: number; refunds: number };
type Projection = { name: string; version: number; live: boolean; state: string; eventsBehind: number };

describe.each(TOPOLOGIES)('reporting read models, topology %s', (topology) => {
  let scratch: ScratchDatabase;
  let running: RunningTopology;
  let base: string;
  let pg: Client;
  let admin: Record<string, string>;
  const customers: { id: string; auth: Record<string, string> }[] = [];
  const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

  beforeAll(async () => {
    scratch = await createScratchDatabase('commerce_e2e_reporting');
    running = await startTopology(topology, scratch.url, {
      SEED_DEMO_CATALOG: 'false',
      OUTBOX_POLL_MS: '200',
      PROJECTION_POLL_MS: '100',
      PROJECTION_BATCH_SIZE: '20',
      // Small pools: the split topology is eight processes on a Postgres shared with other suites.
      DB_POOL_SIZE: '3',
      BUS_REQUEST_TIMEOUT_MS: '30000',
      EDGE_COMMAND_TIMEOUT_MS: '30000',
      // tok_slow keeps an order under way this long, far past the outbox and projection polls.
      SIM_PROVIDER_SLOW_MS: '8000',
      ORDER_STEP_TIMEOUT_MS: '60000',
    });
    base = running.baseUrl;
    admin = bearer(running.adminToken);
    for (let i = 0; i < 3; i++) customers.push(await newCustomer(base));
    pg = new Client({ connectionString: scratch.url });
    await pg.connect();
  }, 180_000);

  afterAll(async () => {
    await pg?.end();
    await running?.close();
    await scratch?.drop();
  });

  const product = async (stock: number, amount: number) =>
    (
      await call(
        base,
        'POST',
        '/api/products',
        { sku: `R-${randomUUID().slice(0, 8)}`, name: 'Gadget', category: 'test', price: { amount, currency: 'EUR' }, initialStock: stock },
        admin,
      )
    ).body.id as string;
  const place = async (n: number, lines: { productId: string; quantity: number }[], postalCode = TEST_ADDRESS.postalCode) => {
    const r = await call(
      base,
      'POST',
      '/api/orders',
      { lines, shippingAddress: { ...TEST_ADDRESS, postalCode }, paymentToken: 'tok_visa', email: 'ada@example.com' },
      customers[n % customers.length].auth,
    );
    expect(r.status).toBe(202);
    return r.body.orderId as string;
  };
  const allEnded = async (ids: string[]) => {
    const { rows } = await pg.query(`SELECT count(*)::int AS n FROM ordering.order_view WHERE id = ANY($1::uuid[]) AND status = ANY($2)`, [ids, TERMINAL]);
    return rows[0].n === ids.length;
  };
  const sales = async (): Promise<SalesRow[]> => {
    const r = await call(base, 'GET', `/api/reports/sales?from=${day(-1)}&to=${day(1)}`, undefined, admin);
    expect(r.status).toBe(200);
    return r.body.items as SalesRow[];
  };
  const projections = async (): Promise<Projection[]> => (await call(base, 'GET', '/api/admin/projections', undefined, admin)).body as unknown as Projection[];
  const caughtUp = async () => {
    const all = await projections();
    return all.length === 3 && all.every((p) => p.live && p.state === 'running' && p.eventsBehind === 0);
  };
  const owners = async () => {
    const money = await pg.query(
      `SELECT (COALESCE(sum(amount) FILTER (WHERE status IN ('CAPTURED', 'REFUNDED')), 0) - COALESCE(sum(refunded_amount), 0))::int AS net FROM payments.payment`,
    );
    const units = await pg.query(`SELECT COALESCE(sum(committed), 0)::int AS committed FROM catalog.stock`);
    return { net: money.rows[0].net as number, committed: units.rows[0].committed as number };
  };
  const reported = (rows: SalesRow[]) => ({ net: rows.reduce((a, r) => a + r.revenue - r.refunds, 0), committed: rows.reduce((a, r) => a + r.units, 0) });

  it('adds up against the owners after orders race for too few units: units sold = committed stock, revenue = captured - refunded', async () => {
    const scarce = await product(8, 1250);
    const other = await product(100, 799);
    const ids = await Promise.all(Array.from({ length: 24 }, (_, i) => place(i, [{ productId: scarce, quantity: 1 }])));
    // The carrier refuses 99999: captured, then refunded, never confirmed.
    ids.push(await place(0, [{ productId: other, quantity: 2 }], '99999'));
    ids.push(await place(1, [{ productId: other, quantity: 3 }]));
    await waitUntil('every order to end', () => allEnded(ids), 150_000);
    const truth = await owners();
    expect(truth.committed).toBeGreaterThan(0);
    await waitUntil('the reports to catch up', async () => (await caughtUp()) && JSON.stringify(reported(await sales())) === JSON.stringify(truth), 60_000);
    const rows = await sales();
    expect(reported(rows)).toEqual(truth);
    expect(rows.find((r) => r.productId === scarce)?.units).toBeLessThanOrEqual(8);

    // Each customer sees exactly their own orders, with ordering's outcome and shipping's tracking number.
    const { rows: truthRows } = await pg.query(
      `SELECT o.id, o.customer_id, o.status, s.tracking_number FROM ordering.order_view o LEFT JOIN shipping.shipment s ON s.order_id = o.id AND s.status = 'CREATED'
        WHERE o.id = ANY($1::uuid[])`,
      [ids],
    );
    for (const c of customers) {
      const mine = await call(base, 'GET', '/api/me/orders?limit=100', undefined, c.auth);
      expect(mine.status).toBe(200);
      const expected = truthRows
        .filter((r) => r.customer_id === c.id)
        .map((r) => ({ orderId: r.id, status: r.status, ...(r.tracking_number && r.status === 'CONFIRMED' ? { trackingNumber: r.tracking_number } : {}) }))
        .sort((a, b) => a.orderId.localeCompare(b.orderId));
      const actual = (mine.body.items as { orderId: string; status: string; trackingNumber?: string }[])
        .map(({ orderId, status, trackingNumber }) => ({ orderId, status, ...(trackingNumber && status === 'CONFIRMED' ? { trackingNumber } : {}) }))
        .sort((a, b) => a.orderId.localeCompare(b.orderId));
      expect(actual).toEqual(expected);
    }
  }, 240_000);

  it('lists an order from the moment it is placed, before it ends, and then with its outcome', async () => {
    const p = await product(10, 450);
    const c = customers[2];
    const r = await call(
      base,
      'POST',
      '/api/orders',
      { lines: [{ productId: p, quantity: 2 }], shippingAddress: TEST_ADDRESS, paymentToken: 'tok_slow', email: 'ada@example.com' },
      c.auth,
    );
    expect(r.status).toBe(202);
    const id = r.body.orderId as string;
    const listed = async () => {
      const mine = await call(base, 'GET', '/api/me/orders?limit=100', undefined, c.auth);
      expect(mine.status).toBe(200);
      return (mine.body.items as { orderId: string; status: string; total?: unknown }[]).find((i) => i.orderId === id);
    };
    await waitUntil('the placed order to be listed', async () => (await listed()) !== undefined, 60_000);
    // The charge alone takes SIM_PROVIDER_SLOW_MS, so the first sighting is the placement, not the outcome.
    expect(await listed()).toMatchObject({ status: 'PLACED', total: { amount: 900, currency: 'EUR' } });
    await waitUntil('the order to end', () => allEnded([id]), 120_000);
    const { rows } = await pg.query(`SELECT status FROM ordering.order_view WHERE id = $1`, [id]);
    expect(rows[0].status).toBe('CONFIRMED');
    await waitUntil('the outcome to be listed', async () => (await listed())?.status === 'CONFIRMED', 60_000);
  }, 240_000);

  it('rebuilds under a live stream of orders while readers keep getting answers, ending equal to a build from scratch', async () => {
    const p = await product(1000, 300);
    const before = reported(await sales());
    let ordering = true;
    const placed: string[] = [];
    const stream = (async () => {
      for (let i = 0; i < 24 && ordering; i++) placed.push(await place(i, [{ productId: p, quantity: 1 + (i % 3) }]));
    })();
    let answers = 0;
    const reader = (async () => {
      for (let i = 0; i < 5000 && ordering; i++) {
        const seen = reported(await sales());
        // Never an empty or half-built model: at least what was there before the rebuild.
        expect(seen.committed).toBeGreaterThanOrEqual(before.committed);
        expect((await call(base, 'GET', '/api/me/orders', undefined, customers[0].auth)).status).toBe(200);
        answers++;
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    await waitUntil('the stream to be under way', async () => placed.length >= 4, 60_000);
    for (const name of ['sales_daily', 'customer_orders']) {
      const r = await call(base, 'POST', `/api/admin/projections/${name}/rebuild`, undefined, admin);
      expect(r.status).toBe(202);
      expect(r.body.version).toBe(2);
    }
    await stream;
    await waitUntil('every streamed order to end', () => allEnded(placed), 120_000);
    await waitUntil(
      'the rebuilt projections to take over',
      async () => (await caughtUp()) && (await projections()).filter((x) => x.version === 2).length === 2,
      120_000,
    );
    ordering = false;
    await reader;
    expect(answers).toBeGreaterThan(0);
    await waitUntil('the reports to catch up', async () => JSON.stringify(reported(await sales())) === JSON.stringify(await owners()), 60_000);
    const live = await sales();

    // From scratch, with nothing else happening: the same numbers.
    expect((await call(base, 'POST', '/api/admin/projections/sales_daily/rebuild', undefined, admin)).body.version).toBe(3);
    await waitUntil(
      'the second rebuild',
      async () => (await caughtUp()) && (await projections()).some((x) => x.name === 'sales_daily' && x.version === 3),
      60_000,
    );
    expect(await sales()).toEqual(live);
  }, 300_000);

  it('answers bad report requests with 400 and unknown projections with 404, and keeps reports for admins', async () => {
    expect((await call(base, 'GET', `/api/reports/sales?from=2026-13-01&to=${day(0)}`, undefined, admin)).status).toBe(400);
    expect((await call(base, 'GET', `/api/reports/sales?from=${day(1)}&to=${day(-1)}`, undefined, admin)).status).toBe(400);
    expect((await call(base, 'GET', `/api/reports/sales?from=${day(0)}&to=${day(0)}`, undefined, customers[0].auth)).status).toBe(403);
    expect((await call(base, 'POST', '/api/admin/projections/nope/rebuild', undefined, admin)).status).toBe(404);
    expect((await call(base, 'POST', '/api/admin/projections/Bad-Name/retry', undefined, admin)).status).toBe(400);
    // Lag shows in the readiness details of the process that runs the projections.
    const host = running.processes.get('reporting')?.baseUrl ?? base;
    const ready = await call(host, 'GET', '/health/ready');
    expect(ready.status).toBe(200);
    expect(JSON.stringify(ready.body)).toMatch(/projections:reporting.*customer_orders.*eventsBehind/);
  });

  it('rebuilds from the command line next to the running service', async () => {
    const before = (await projections()).find((p) => p.name === 'stock_movements')!.version;
    // Asynchronously: a synchronous spawn would freeze this process, where the monolith topologies
    // run their projection loop, possibly mid-transaction, holding back every commit-order cursor.
    const cli = await new Promise<{ status: number | null; stdout: string; stderr: string }>((done) =>
      execFile(
        process.execPath,
        [resolve(__dirname, '../../dist/apps/reporting/projections.js'), 'rebuild', 'stock_movements'],
        { env: { PATH: process.env.PATH ?? '', DATABASE_URL: scratch.url, LOG_LEVEL: 'warn' }, encoding: 'utf8', timeout: 120_000 },
        (error, stdout, stderr) =>
          done({ status: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr: stderr || (error ? String(error) : '') }),
      ),
    );
    expect(cli.stderr).toBe('');
    expect(cli.status).toBe(0);
    expect(cli.stdout).toContain(`version ${before + 1} is live`);
    const after = (await projections()).filter((p) => p.name === 'stock_movements');
    expect(after.map((p) => [p.version, p.live])).toEqual([[before + 1, true]]);
    const { rows } = await pg.query(`SELECT kind, sum(quantity)::int AS n FROM reporting.stock_movements GROUP BY kind`);
    const committed = rows.find((r) => r.kind === 'committed')?.n ?? 0;
    expect(committed).toBe((await owners()).committed);
  }, 150_000);
});
