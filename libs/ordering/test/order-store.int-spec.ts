import { randomUUID } from 'node:crypto';
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
});
