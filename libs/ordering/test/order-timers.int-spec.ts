import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { OrderingModule } from '@commerce/ordering';
import { bootContexts, ContextHarness } from '../../../test/support/context-harness';
import { createScratchDatabase, ScratchDatabase } from '../../../test/support/postgres';
import { Order } from '../src/domain/order.entity';
import { OrderStore } from '../src/infrastructure/order-store.repository';
import { OrderTimerRepository } from '../src/infrastructure/order-timer.repository';
import { orderPlaced } from './order-placed.fixture';

describe('durable order timers on real Postgres', () => {
  let db: ScratchDatabase;
  let harness: ContextHarness;
  let timers: OrderTimerRepository;

  beforeAll(async () => {
    db = await createScratchDatabase('commerce_it_order_timers');
    // The module's own poller stays out of the way: these tests claim by hand.
    harness = await bootContexts({ kind: 'postgres', url: db.url }, [OrderingModule], [], {
      env: { ORDER_RECOVERY_INTERVAL_MS: '600000', ORDER_STALL_MS: '3000', DB_POOL_SIZE: '5' },
    });
    timers = harness.get(OrderTimerRepository);
  });

  afterAll(async () => {
    await harness?.close();
    await db?.drop();
  });

  const insert = (ids: string[], dueInSeconds: number) =>
    harness
      .dataSource('ordering')
      .query(`INSERT INTO ordering.order_timer (order_id, due_at, reason) SELECT unnest($1::uuid[]), clock_timestamp() + make_interval(secs => $2), 'retry'`, [
        ids,
        dueInSeconds,
      ]);

  it('hands each due timer to exactly one of several concurrent claimers, and none that is not due', async () => {
    await harness.dataSource('ordering').query(`DELETE FROM ordering.order_timer`);
    const due = Array.from({ length: 60 }, () => randomUUID());
    const later = Array.from({ length: 5 }, () => randomUUID());
    await insert(due, -1);
    await insert(later, 600);
    const claimed: string[] = [];
    for (let round = 0; round < 20 && claimed.length < due.length; round++) {
      const batches = await Promise.all([1, 2, 3, 4].map(() => timers.claimDue(7, 60_000)));
      for (const batch of batches) claimed.push(...batch.map((t) => t.orderId));
    }
    expect(claimed).toHaveLength(due.length);
    expect(new Set(claimed)).toEqual(new Set(due));
    // A claimed timer is leased ahead, so claiming again finds nothing until the lease runs out.
    expect(await timers.claimDue(100, 60_000)).toEqual([]);
    const lease = await timers.get(due[0]);
    expect(lease!.dueAt.getTime()).toBeGreaterThan(Date.now() + 50_000);
  });

  it('gives a claimed timer to another claimer once its lease runs out (the claimer died)', async () => {
    await harness.dataSource('ordering').query(`DELETE FROM ordering.order_timer`);
    const id = randomUUID();
    await insert([id], -1);
    expect((await timers.claimDue(10, 300)).map((t) => t.orderId)).toEqual([id]);
    expect(await timers.claimDue(10, 300)).toEqual([]);
    await sleep(600);
    expect((await timers.claimDue(10, 300)).map((t) => t.orderId)).toEqual([id]);
  });

  it('is written with the order: set while it is open, removed once it is final', async () => {
    const store = harness.get(OrderStore);
    const id = randomUUID();
    await harness.dataSource('ordering').transaction(async (m) => {
      const order = new Order(id);
      await store.append(m, order, [orderPlaced()]);
      await store.schedule(m, order);
    });
    const open = await timers.get(id);
    expect(open).toMatchObject({ reason: 'resume' });
    expect(open!.dueAt.getTime()).toBeGreaterThan(Date.now() + 1000);
    await harness.dataSource('ordering').transaction(async (m) => {
      const { order } = (await store.load(id, m))!;
      await store.append(m, order, [{ type: 'OrderRejected', data: { reason: 'test' } }]);
      await store.schedule(m, order);
    });
    expect(await timers.get(id)).toBeUndefined();
  });
});
