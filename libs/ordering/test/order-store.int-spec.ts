import { randomUUID } from 'node:crypto';
import { OrderConfirmed } from '@commerce/contracts';
import { UnitOfWork } from '@commerce/messaging';
import { OrderingModule } from '@commerce/ordering';
import { bootContexts, ContextHarness } from '../../../test/support/context-harness';
import { createScratchDatabase, ScratchDatabase } from '../../../test/support/postgres';
import { OrderEvent } from '../src/domain/order-events';
import { Order } from '../src/domain/order.entity';
import { OrderStore } from '../src/infrastructure/order-store.repository';
import { orderPlaced } from './order-placed.fixture';

const placed = orderPlaced();

describe('order event store on real Postgres', () => {
  let db: ScratchDatabase;
  let harness: ContextHarness;
  let store: OrderStore;

  beforeAll(async () => {
    db = await createScratchDatabase('commerce_it_ordering');
    // No saga work happens: every order here is appended by hand and the recovery scan finds nothing to resume.
    harness = await bootContexts({ kind: 'postgres', url: db.url }, [OrderingModule], [], { env: { ORDER_RECOVERY_INTERVAL_MS: '600000' } });
    store = harness.get(OrderStore);
  });

  afterAll(async () => {
    await harness?.close();
    await db?.drop();
  });

  const append = (order: Order, events: OrderEvent[]) => harness.dataSource('ordering').transaction((m) => store.append(m, order, events));

  it('rebuilds an order from its events, version by version', async () => {
    const id = randomUUID();
    await append(new Order(id), [placed, { type: 'StepStarted', data: { step: 'reserve-stock' } }, { type: 'StockReserved', data: {} }]);
    const { order, events } = (await store.load(id))!;
    expect(events.map((e) => [e.version, e.type])).toEqual([
      [1, 'OrderPlaced'],
      [2, 'StepStarted'],
      [3, 'StockReserved'],
    ]);
    expect(order).toMatchObject({ status: 'STOCK_RESERVED', version: 3, parts: { 'reserve-stock': 'done' } });
  });

  it('refuses a second append at the same version instead of losing either', async () => {
    const id = randomUUID();
    await append(new Order(id), [placed]);
    const a = (await store.load(id))!.order;
    const b = (await store.load(id))!.order;
    await append(a, [{ type: 'StepStarted', data: { step: 'reserve-stock' } }]);
    await expect(append(b, [{ type: 'CancellationRequested', data: {} }])).rejects.toMatchObject({ code: 'ORDERING.CONCURRENT_APPEND' });
    expect((await store.load(id))!.events).toHaveLength(2);
  });

  it('keeps the projection in step and rebuilds it from the events', async () => {
    const id = randomUUID();
    await append(new Order(id), [
      placed,
      { type: 'StepStarted', data: { step: 'reserve-stock' } },
      { type: 'StockReservationFailed', data: { reason: 'short' } },
      { type: 'OrderRejected', data: { reason: 'short' } },
    ]);
    const before = await store.view(id);
    expect(before).toMatchObject({ status: 'REJECTED', reason: 'short', version: 4 });
    await harness.dataSource('ordering').query(`UPDATE ordering.order_view SET status = 'PLACED', version = 0 WHERE id = $1`, [id]);
    expect(await store.rebuildProjections()).toBeGreaterThanOrEqual(1);
    expect(await store.view(id)).toEqual(before);
  });

  const count = async (sql: string, params: unknown[]) => Number((await harness.dataSource('ordering').query(sql, params))[0].n);
  const outboxRow = (orderId: string) =>
    harness
      .get(UnitOfWork)
      .outboxRow(OrderConfirmed, { orderId, customerId: 'c1', email: 'c1@example.com', total: { amount: 100, currency: 'EUR' }, lines: [] });

  it('writes a change with its projection, timer and outbox rows, and refuses one staged on a stale version without writing any of it', async () => {
    const id = randomUUID();
    await append(new Order(id), [placed]);
    const stale = (await store.load(id))!.order;
    const first = store.change(stale);
    store.stage(first, [
      { type: 'StepStarted', data: { step: 'reserve-stock' } },
      { type: 'StockReserved', data: {} },
    ]);
    await store.commit(first);
    expect(await store.view(id)).toMatchObject({ status: 'STOCK_RESERVED', version: 3 });
    expect(await count(`SELECT count(*) AS n FROM ordering.order_timer WHERE order_id = $1`, [id])).toBe(1);

    const second = store.change(stale);
    store.stage(second, [
      { type: 'CancellationRequested', data: {} },
      { type: 'OrderCancelled', data: {} },
    ]);
    second.outbox.push(outboxRow(id));
    await expect(store.commit(second)).rejects.toMatchObject({ code: 'ORDERING.CONCURRENT_APPEND' });
    expect((await store.load(id))!.events.map((e) => e.type)).toEqual(['OrderPlaced', 'StepStarted', 'StockReserved']);
    expect(await store.view(id)).toMatchObject({ status: 'STOCK_RESERVED', version: 3 });
    expect(await count(`SELECT count(*) AS n FROM ordering.outbox WHERE id = $1`, [second.outbox[0].id])).toBe(0);

    const final = store.change((await store.load(id))!.order);
    store.stage(final, [
      { type: 'CancellationRequested', data: {} },
      { type: 'OrderCancelled', data: {} },
    ]);
    final.outbox.push(outboxRow(id));
    await store.commit(final);
    expect(await store.view(id)).toMatchObject({ status: 'CANCELLED', version: 5 });
    expect(await count(`SELECT count(*) AS n FROM ordering.order_timer WHERE order_id = $1`, [id])).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM ordering.outbox WHERE id = $1`, [final.outbox[0].id])).toBe(1);
  });

  it('commits changes of concurrent orders together: those arriving while a statement is in flight share the next transaction', async () => {
    const ids = Array.from({ length: 12 }, () => randomUUID());
    for (const id of ids) await append(new Order(id), [placed]);
    const orders = await Promise.all(ids.map(async (id) => (await store.load(id))!.order));
    const changes = orders.map((o) => store.change(o));
    for (const c of changes) store.stage(c, [{ type: 'StepStarted', data: { step: 'reserve-stock' } }]);
    // A change of an order already in the group waits for the next statement, against the version the first one wrote.
    const again = store.change(orders[0]);
    store.stage(again, [{ type: 'CancellationRequested', data: {} }]);
    const results = await Promise.allSettled([...changes.map((c) => store.commit(c)), store.commit(again)]);
    expect(results.slice(0, 12).every((r) => r.status === 'fulfilled')).toBe(true);
    expect(results[12]).toMatchObject({ status: 'rejected', reason: { code: 'ORDERING.CONCURRENT_APPEND' } });
    const transactions = await count(`SELECT count(DISTINCT tx) AS n FROM ordering.order_event WHERE order_id = ANY($1::uuid[]) AND version = 2`, [ids]);
    expect(transactions).toBeLessThanOrEqual(2);
    for (const id of ids) expect(await store.view(id)).toMatchObject({ version: 2 });
  });

  it('places an order only with a new idempotency key: a taken key writes nothing', async () => {
    const key = { key: `k-${randomUUID()}`, hash: 'h' };
    const first = store.change(new Order(randomUUID()));
    store.stage(first, [placed, { type: 'StepStarted', data: { step: 'reserve-stock' } }]);
    expect(await store.place(first, key)).toBe(true);
    expect(await store.view(first.order.id)).toMatchObject({ status: 'PLACED', version: 2 });
    expect((await store.load(first.order.id))!.order.current?.step).toBe('reserve-stock');

    const second = store.change(new Order(randomUUID()));
    store.stage(second, [placed]);
    second.outbox.push(outboxRow(second.order.id));
    expect(await store.place(second, key)).toBe(false);
    expect(await store.load(second.order.id)).toBeUndefined();
    expect(await count(`SELECT count(*) AS n FROM ordering.order_timer WHERE order_id = $1`, [second.order.id])).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM ordering.outbox WHERE id = $1`, [second.outbox[0].id])).toBe(0);
  });

  it('places concurrent orders in one statement: a key taken within the group writes nothing of its order, and a bad placement fails alone', async () => {
    const keys = Array.from({ length: 8 }, () => ({ key: `k-${randomUUID()}`, hash: 'h' }));
    const placing = keys.map(() => store.change(new Order(randomUUID())));
    for (const c of placing) store.stage(c, [placed, { type: 'StepStarted', data: { step: 'reserve-stock' } }]);
    const twin = store.change(new Order(randomUUID()));
    store.stage(twin, [placed]);
    const bad = store.change(new Order(randomUUID()));
    store.stage(bad, [placed]);
    bad.outbox.push({ ...outboxRow(bad.order.id), id: 'not-a-uuid' });
    const results = await Promise.allSettled([
      ...placing.map((c, i) => store.place(c, keys[i])),
      store.place(twin, keys[3]),
      store.place(bad, { key: `k-${randomUUID()}`, hash: 'h' }),
    ]);
    expect(results.slice(0, 8)).toEqual(placing.map(() => ({ status: 'fulfilled', value: true })));
    expect(results[8]).toEqual({ status: 'fulfilled', value: false });
    expect(results[9]).toMatchObject({ status: 'rejected' });
    for (const c of placing) expect(await store.view(c.order.id)).toMatchObject({ status: 'PLACED', version: 2 });
    for (const c of [twin, bad]) expect(await store.load(c.order.id)).toBeUndefined();
    const ids = placing.map((c) => c.order.id);
    expect(await count(`SELECT count(*) AS n FROM ordering.order_timer WHERE order_id = ANY($1::uuid[])`, [ids])).toBe(8);
  });
});
