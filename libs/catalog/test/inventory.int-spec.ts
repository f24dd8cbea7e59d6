import { randomUUID } from 'node:crypto';
import {
  AdjustStock,
  CommitStock,
  CreateProduct,
  GetStock,
  ReleaseStock,
  ReserveStock,
  StockCommitted,
  StockReleased,
  StockReservationFailed,
  StockReserved,
} from '@commerce/contracts';
import { catalogDatabase, CatalogModule } from '@commerce/catalog';
import { migrateContext } from '@commerce/platform';
import { Backend, bootContexts, ContextHarness, EventLog, eventRecorder } from '../../../test/support/context-harness';
import { createScratchDatabase, ScratchDatabase } from '../../../test/support/postgres';

const recorder = eventRecorder([StockReserved, StockReservationFailed, StockReleased, StockCommitted]);

describe.each(['postgres', 'pglite'] as const)('catalog inventory on %s', (kind) => {
  let scratch: ScratchDatabase | undefined;
  let harness: ContextHarness;
  let events: EventLog;

  beforeAll(async () => {
    let backend: Backend = { kind: 'pglite' };
    if (kind === 'postgres') {
      scratch = await createScratchDatabase('commerce_it_catalog');
      backend = { kind: 'postgres', url: scratch.url };
    }
    harness = await bootContexts(backend, [CatalogModule], [recorder.provider]);
    events = harness.get(recorder.provider);
  });

  afterAll(async () => {
    await harness?.close();
    await scratch?.drop();
  });

  const newProduct = async (stock: number) =>
    (
      await harness.bus.send(CreateProduct, {
        sku: `SKU-${randomUUID()}`,
        name: 'Widget',
        description: '',
        category: 'test',
        price: { amount: 100, currency: 'EUR' },
        initialStock: stock,
      })
    ).id;
  const stockOf = (productId: string) => harness.bus.request(GetStock, { productId });
  const reserve = (orderId: string, lines: { productId: string; quantity: number }[]) => harness.bus.send(ReserveStock, { orderId, lines });

  it('applies the migrations to an empty schema, and a second run applies nothing', async () => {
    const ds = harness.dataSource('catalog');
    const tables = (await ds.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'catalog' ORDER BY 1`)) as { table_name: string }[];
    expect(tables.map((t) => t.table_name)).toEqual([
      'inbox',
      'migrations',
      'outbox',
      'product',
      'reservation',
      'reservation_line',
      'stock',
      'stock_adjustment',
    ]);
    await expect(migrateContext(ds, catalogDatabase)).resolves.toEqual([]);
  });

  it('never oversells when 40 orders race for 10 units', async () => {
    const productId = await newProduct(10);
    const results = await Promise.all(Array.from({ length: 40 }, () => reserve(randomUUID(), [{ productId, quantity: 1 }])));
    expect(results.filter((r) => r.status === 'RESERVED')).toHaveLength(10);
    expect(results.filter((r) => r.status === 'REJECTED')).toHaveLength(30);
    expect(await stockOf(productId)).toMatchObject({ available: 0, reserved: 10, committed: 0 });
  });

  it('reserves racing multi-line orders all or nothing, and the counters add up', async () => {
    const a = await newProduct(7);
    const b = await newProduct(5);
    const orders = Array.from({ length: 24 }, (_, i) => ({
      orderId: randomUUID(),
      lines:
        i % 3 === 0
          ? [{ productId: a, quantity: 2 }]
          : [
              { productId: a, quantity: 1 },
              { productId: b, quantity: 1 },
            ],
    }));
    const results = await Promise.all(orders.map((o) => reserve(o.orderId, o.lines)));
    const held = { [a]: 0, [b]: 0 };
    results.forEach((r, i) => {
      if (r.status === 'RESERVED') for (const l of orders[i].lines) held[l.productId] += l.quantity;
    });
    const [sa, sb] = await Promise.all([stockOf(a), stockOf(b)]);
    expect(sa.reserved).toBe(held[a]);
    expect(sb.reserved).toBe(held[b]);
    expect(sa.available + sa.reserved).toBe(7);
    expect(sb.available + sb.reserved).toBe(5);
    expect(sa.available).toBeGreaterThanOrEqual(0);
    expect(sb.available).toBeGreaterThanOrEqual(0);
    expect(results.some((r) => r.status === 'REJECTED')).toBe(true);
  });

  it('holds stock once when the same order is reserved ten times at once', async () => {
    const productId = await newProduct(10);
    const orderId = randomUUID();
    const results = await Promise.all(Array.from({ length: 10 }, () => reserve(orderId, [{ productId, quantity: 3 }])));
    expect(new Set(results.map((r) => r.status))).toEqual(new Set(['RESERVED']));
    expect(await stockOf(productId)).toMatchObject({ available: 7, reserved: 3 });
    await harness.settle();
    expect(events.ofType(StockReserved).filter((e) => (e as { orderId: string }).orderId === orderId)).toHaveLength(1);
  });

  it('rejects a short order without holding anything, and says what is short', async () => {
    const productId = await newProduct(2);
    const orderId = randomUUID();
    await expect(reserve(orderId, [{ productId, quantity: 3 }])).resolves.toEqual({
      orderId,
      status: 'REJECTED',
      shortages: [{ productId, requested: 3, available: 2 }],
    });
    await expect(reserve(orderId, [{ productId, quantity: 1 }])).resolves.toMatchObject({ status: 'REJECTED' });
    expect(await stockOf(productId)).toMatchObject({ available: 2, reserved: 0 });
    await harness.settle();
    expect(events.ofType(StockReservationFailed)).toContainEqual({ orderId, shortages: [{ productId, requested: 3, available: 2 }] });
  });

  it('releases once however often the release is repeated', async () => {
    const productId = await newProduct(5);
    const orderId = randomUUID();
    await reserve(orderId, [{ productId, quantity: 4 }]);
    const releases = await Promise.all(Array.from({ length: 5 }, () => harness.bus.send(ReleaseStock, { orderId })));
    expect(releases.every((r) => r.status === 'RELEASED')).toBe(true);
    expect(await stockOf(productId)).toMatchObject({ available: 5, reserved: 0 });
    await harness.settle();
    expect(events.ofType(StockReleased).filter((e) => (e as { orderId: string }).orderId === orderId)).toHaveLength(1);
  });

  it('lets a release that overtook its reserve win', async () => {
    const productId = await newProduct(5);
    const orderId = randomUUID();
    await expect(harness.bus.send(ReleaseStock, { orderId })).resolves.toEqual({ orderId, status: 'RELEASED' });
    await expect(reserve(orderId, [{ productId, quantity: 1 }])).resolves.toMatchObject({ status: 'RELEASED' });
    expect(await stockOf(productId)).toMatchObject({ available: 5, reserved: 0 });
  });

  it('commits once, and refuses to release sold stock', async () => {
    const productId = await newProduct(5);
    const orderId = randomUUID();
    await reserve(orderId, [{ productId, quantity: 2 }]);
    await harness.bus.send(CommitStock, { orderId });
    await harness.bus.send(CommitStock, { orderId });
    expect(await stockOf(productId)).toMatchObject({ available: 3, reserved: 0, committed: 2 });
    await expect(harness.bus.send(ReleaseStock, { orderId })).rejects.toMatchObject({ code: 'CATALOG.RESERVATION_STATE_CONFLICT' });
    await expect(harness.bus.send(CommitStock, { orderId: randomUUID() })).rejects.toMatchObject({ code: 'CATALOG.RESERVATION_NOT_FOUND' });
  });

  it('fails only the bad members of a group of commits and releases arriving together', async () => {
    const productId = await newProduct(10);
    const good = Array.from({ length: 4 }, () => randomUUID());
    for (const orderId of good) await reserve(orderId, [{ productId, quantity: 1 }]);
    const sold = randomUUID();
    await reserve(sold, [{ productId, quantity: 1 }]);
    await harness.bus.send(CommitStock, { orderId: sold });
    // Sent at once, so they are written as groups: one unknown order among the commits, one sold order among the releases.
    const [commits, releases] = await Promise.all([
      Promise.allSettled([good[0], randomUUID(), good[1]].map((orderId) => harness.bus.send(CommitStock, { orderId }))),
      Promise.allSettled([good[2], sold, good[3]].map((orderId) => harness.bus.send(ReleaseStock, { orderId }))),
    ]);
    expect(commits.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((commits[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'CATALOG.RESERVATION_NOT_FOUND' });
    expect(releases.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((releases[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'CATALOG.RESERVATION_STATE_CONFLICT' });
    expect(await stockOf(productId)).toMatchObject({ available: 7, reserved: 0, committed: 3 });
    await harness.settle();
    const of = (type: Parameters<EventLog['ofType']>[0], orderId: string) => events.ofType(type).filter((e) => (e as { orderId: string }).orderId === orderId);
    expect([good[0], good[1]].map((o) => of(StockCommitted, o).length)).toEqual([1, 1]);
    expect([good[2], good[3], sold].map((o) => of(StockReleased, o).length)).toEqual([1, 1, 0]);
  });

  it('keeps the counters right, without deadlock, when reserves, commits and releases race on the same products', async () => {
    const a = await newProduct(30);
    const b = await newProduct(30);
    const held = Array.from({ length: 16 }, () => randomUUID());
    const lines = [
      { productId: b, quantity: 1 },
      { productId: a, quantity: 1 },
    ];
    for (const orderId of held) await reserve(orderId, lines);
    const fresh = Array.from({ length: 24 }, () => randomUUID());
    // Groups of each kind lock the rows of both products at the same time, in whatever order the orders list them.
    const results = await Promise.all([
      ...fresh.map((orderId, i) => reserve(orderId, i % 2 ? lines : [...lines].reverse())),
      ...held.slice(0, 8).map((orderId) => harness.bus.send(CommitStock, { orderId })),
      ...held.slice(8).map((orderId) => harness.bus.send(ReleaseStock, { orderId })),
    ]);
    const reserved = results.slice(0, fresh.length).filter((r) => r.status === 'RESERVED').length;
    // 30 units each, 16 held before: 14 free for the 24 new orders, and up to 8 more as the releases land.
    expect(reserved).toBeGreaterThanOrEqual(14);
    expect(reserved).toBeLessThanOrEqual(22);
    for (const productId of [a, b]) expect(await stockOf(productId)).toEqual({ productId, available: 30 - 8 - reserved, reserved, committed: 8 });
  });

  it('reserves, and commits, a group of orders in one transaction of four statements: begin, claim or find and lock, write, commit', async () => {
    const productId = await newProduct(10);
    const orders = Array.from({ length: 6 }, () => randomUUID());
    const ds = harness.dataSource('catalog');
    const transactions: string[][] = [];
    const create = ds.createQueryRunner.bind(ds);
    const spy = jest.spyOn(ds, 'createQueryRunner').mockImplementation((...args) => {
      const runner = create(...args);
      const statements: string[] = [];
      transactions.push(statements);
      const query = runner.query.bind(runner);
      runner.query = ((sql: string, ...rest: unknown[]) => (statements.push(sql), query(sql, ...(rest as [])))) as typeof runner.query;
      return runner;
    });
    try {
      await Promise.all(orders.map((orderId) => reserve(orderId, [{ productId, quantity: 1 }])));
      await Promise.all(orders.map((orderId) => harness.bus.send(CommitStock, { orderId })));
    } finally {
      spy.mockRestore();
    }
    const groups = transactions.filter((t) => t.some((sql) => sql.includes('catalog.reservation')));
    // The first command of each kind goes at once, the others together in the next group.
    expect(groups.length).toBeGreaterThanOrEqual(2);
    expect(groups.length).toBeLessThan(orders.length * 2);
    for (const statements of groups) expect(statements).toHaveLength(4);
    expect(await stockOf(productId)).toMatchObject({ available: 4, reserved: 0, committed: 6 });
  });

  it('applies a redelivered adjustment once', async () => {
    const productId = await newProduct(1);
    const raw = JSON.stringify(harness.bus.envelope(AdjustStock, { productId, delta: 5, reason: 'received' }));
    for (let i = 0; i < 3; i++)
      expect(JSON.parse(await harness.transport.request(AdjustStock.type, raw, 5000))).toMatchObject({ ok: true, result: { available: 6 } });
    expect(await stockOf(productId)).toMatchObject({ available: 6 });
  });

  it('adjusts stock but never below zero', async () => {
    const productId = await newProduct(1);
    await expect(harness.bus.send(AdjustStock, { productId, delta: 4, reason: 'received' })).resolves.toMatchObject({ available: 5 });
    await expect(harness.bus.send(AdjustStock, { productId, delta: -6, reason: 'shrinkage' })).rejects.toMatchObject({
      code: 'CATALOG.STOCK_WOULD_GO_NEGATIVE',
    });
    expect(await stockOf(productId)).toMatchObject({ available: 5 });
  });
});
