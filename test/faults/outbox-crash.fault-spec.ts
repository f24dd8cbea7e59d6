import { randomUUID } from 'node:crypto';
import { waitUntil } from '../support/wait-until';
import { CreateProduct, ReserveStock, StockReserved } from '@commerce/contracts';
import { Client } from 'pg';
import { bootContexts, ContextHarness, EventLog, eventRecorder } from '../support/context-harness';
import { createScratchDatabase, ScratchDatabase } from '../support/postgres';
import { deleteTopology, TEST_RABBITMQ_URL, uniquePrefix } from '../support/rabbitmq';
import { ServiceProcess, startService, stopService } from '../support/topology';

describe('outbox crash safety (split topology)', () => {
  const prefix = uniquePrefix();
  const recorder = eventRecorder([StockReserved]);
  let db: ScratchDatabase;
  let observer: ContextHarness;
  let events: EventLog;
  let catalog: ServiceProcess | undefined;
  const rmq = { TRANSPORT: 'rmq', RABBITMQ_URL: TEST_RABBITMQ_URL, RMQ_PREFIX: prefix, RETRY_DELAYS_MS: '200,400' };

  beforeAll(async () => {
    db = await createScratchDatabase('commerce_fault_outbox');
    observer = await bootContexts({ kind: 'postgres', url: db.url }, [], [recorder.provider], { service: 'observer', env: rmq });
    events = observer.get(recorder.provider);
  });

  afterAll(async () => {
    if (catalog) await stopService(catalog, 'SIGKILL');
    await observer?.close();
    await deleteTopology(prefix, ['catalog', 'observer'], [200, 400]);
    await db?.drop();
  });

  it('ships an event committed just before a SIGKILL exactly once after the restart', async () => {
    catalog = await startService('catalog', { DATABASE_URL: db.url, ...rmq, SEED_DEMO_CATALOG: 'false', OUTBOX_RELAY: 'off' });
    const product = await observer.bus.send(CreateProduct, {
      sku: 'CRASH-1',
      name: 'Crash test',
      description: '',
      category: 'test',
      price: { amount: 1, currency: 'EUR' },
      initialStock: 5,
    });
    const orderId = randomUUID();
    await expect(observer.bus.send(ReserveStock, { orderId, lines: [{ productId: product.id, quantity: 2 }] })).resolves.toMatchObject({ status: 'RESERVED' });

    // State is committed and the event sits in the outbox, unpublished: the crash window.
    const pg = new Client({ connectionString: db.url });
    await pg.connect();
    const unsent = async () =>
      (await pg.query(`SELECT count(*)::int AS n FROM catalog.outbox WHERE sent_at IS NULL AND type = $1`, [StockReserved.type])).rows[0].n as number;
    try {
      expect(await unsent()).toBe(1);
      await stopService(catalog, 'SIGKILL');
      expect(events.ofType(StockReserved)).toHaveLength(0);

      catalog = await startService('catalog', { DATABASE_URL: db.url, ...rmq, SEED_DEMO_CATALOG: 'false', OUTBOX_POLL_MS: '200' });
      const delivered = () => events.ofType(StockReserved).filter((e) => (e as { orderId: string }).orderId === orderId);
      await waitUntil('the event after restart', async () => delivered().length >= 1);
      await new Promise((r) => setTimeout(r, 1500));
      expect(delivered()).toHaveLength(1);
      expect(await unsent()).toBe(0);
      const stock = (await pg.query(`SELECT available, reserved FROM catalog.stock WHERE product_id = $1`, [product.id])).rows[0];
      expect(stock).toEqual({ available: '3', reserved: '2' });
    } finally {
      await pg.end();
    }
  });
});
