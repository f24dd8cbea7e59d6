import { randomUUID } from 'node:crypto';
import {
  GetSalesReport,
  ListCustomerOrders,
  MessageContract,
  OrderCancelled,
  OrderConfirmed,
  OrderPlaced,
  PaymentRefunded,
  PayloadOf,
  ShipmentCreated,
  StockCommitted,
} from '@commerce/contracts';
import { MessageBus } from '@commerce/messaging';
import { ProjectionRunner } from '@commerce/projections';
import { ReportingModule } from '@commerce/reporting';
import { bootContexts, ContextHarness } from '../../../test/support/context-harness';
import { createScratchDatabase, ScratchDatabase } from '../../../test/support/postgres';
import { waitUntil } from '../../../test/support/wait-until';

const today = new Date().toISOString().slice(0, 10);

describe.each(['postgres', 'pglite'] as const)('reporting context on %s', (backend) => {
  let db: ScratchDatabase | undefined;
  let harness: ContextHarness;
  let bus: MessageBus;
  let runner: ProjectionRunner;

  beforeAll(async () => {
    // PGlite (the embedded default of `npm start`) has the same xid8 and snapshot functions.
    db = backend === 'postgres' ? await createScratchDatabase('commerce_it_reporting') : undefined;
    harness = await bootContexts(db ? { kind: 'postgres', url: db.url } : { kind: 'pglite' }, [ReportingModule], [], { env: { PROJECTION_POLL_MS: '50' } });
    bus = harness.get(MessageBus);
    runner = harness.get(ProjectionRunner);
  });

  afterAll(async () => {
    await harness?.close();
    await db?.drop();
  });

  /** Delivers one envelope `times` times, as a broker redelivery would. */
  const deliver = async <C extends MessageContract<'event'>>(contract: C, payload: PayloadOf<C>, times = 1) => {
    const raw = JSON.stringify(bus.envelope(contract, payload));
    for (let i = 0; i < times; i++) await harness.transport.publish(contract.type, raw);
    await harness.settle();
  };
  const caughtUp = async () => {
    const all = await runner.status();
    return all.length === 3 && all.every((s) => s.state === 'running' && s.eventsBehind === 0);
  };
  const salesOf = async (productId: string) => (await bus.request(GetSalesReport, { from: today, to: today })).items.filter((r) => r.productId === productId);

  it('applies a redelivered event once', async () => {
    const productId = randomUUID();
    const confirmed = {
      orderId: randomUUID(),
      customerId: 'c-redelivery',
      email: 'c@example.com',
      total: { amount: 3000, currency: 'EUR' },
      lines: [{ productId, quantity: 3, unitPrice: { amount: 1000, currency: 'EUR' } }],
    };
    await deliver(OrderConfirmed, confirmed, 3);
    await deliver(StockCommitted, { orderId: confirmed.orderId, lines: [{ productId, quantity: 3 }] }, 2);
    await waitUntil('reporting to catch up', caughtUp);
    expect(await salesOf(productId)).toEqual([{ day: today, productId, currency: 'EUR', units: 3, revenue: 3000, refunds: 0 }]);
    const [{ n }] = (await harness
      .dataSource('reporting')
      .query(`SELECT count(*)::int AS n FROM reporting.stock_movements WHERE product_id = $1`, [productId])) as {
      n: number;
    }[];
    expect(n).toBe(1);
  });

  it('keeps a tracking number that arrives before the order outcome, and splits a refund over the lines by value', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    const orderId = randomUUID();
    await deliver(ShipmentCreated, { orderId, trackingNumber: 'TRK-1' });
    await deliver(OrderConfirmed, {
      orderId,
      customerId: 'c-early-shipment',
      email: 'c@example.com',
      total: { amount: 1001, currency: 'EUR' },
      lines: [
        { productId: a, quantity: 1, unitPrice: { amount: 1, currency: 'EUR' } },
        { productId: b, quantity: 2, unitPrice: { amount: 500, currency: 'EUR' } },
      ],
    });
    await deliver(PaymentRefunded, { orderId, amount: { amount: 1001, currency: 'EUR' } });
    await waitUntil('reporting to catch up', caughtUp);
    const mine = await bus.request(ListCustomerOrders, { customerId: 'c-early-shipment', limit: 10, offset: 0 });
    expect(mine.items).toEqual([expect.objectContaining({ orderId, status: 'CONFIRMED', trackingNumber: 'TRK-1', total: { amount: 1001, currency: 'EUR' } })]);
    expect((await salesOf(a))[0]).toMatchObject({ units: 1, revenue: 1, refunds: 1 });
    expect((await salesOf(b))[0]).toMatchObject({ units: 2, revenue: 1000, refunds: 1000 });
  });

  it('lists an order from its placement, never sets a final status back to PLACED, and counts no sale for a placed order', async () => {
    const productId = randomUUID();
    const order = (orderId: string) => ({
      orderId,
      customerId: 'c-placed',
      email: 'c@example.com',
      total: { amount: 700, currency: 'EUR' },
      lines: [{ productId, quantity: 1, unitPrice: { amount: 700, currency: 'EUR' } }],
    });
    const [open, ended] = [randomUUID(), randomUUID()];
    await deliver(OrderPlaced, { ...order(open), placedAt: new Date().toISOString() });
    // The outcome read first: the late OrderPlaced must not reopen the order.
    await deliver(OrderCancelled, order(ended));
    await deliver(OrderPlaced, { ...order(ended), placedAt: new Date().toISOString() });
    await waitUntil('reporting to catch up', caughtUp);
    const mine = await bus.request(ListCustomerOrders, { customerId: 'c-placed', limit: 10, offset: 0 });
    const statuses = Object.fromEntries(mine.items.map((i) => [i.orderId, i.status]));
    expect(statuses).toEqual({ [open]: 'PLACED', [ended]: 'CANCELLED' });
    expect(mine.items.find((i) => i.orderId === open)?.total).toEqual({ amount: 700, currency: 'EUR' });
    expect(await salesOf(productId)).toEqual([]);
  });

  it('stops only the projection an event breaks, shows why, and resumes after the fix and a retry', async () => {
    const orderId = randomUUID();
    // A stock event whose line names no product: the movements table refuses it (NOT NULL).
    await harness
      .dataSource('reporting')
      .query(`INSERT INTO reporting.event_log (message_id, type, data, recorded_at) VALUES ($1, $2, $3, now())`, [
        randomUUID(),
        StockCommitted.type,
        JSON.stringify({ orderId, lines: [{ quantity: 1 }] }),
      ]);
    await deliver(ShipmentCreated, { orderId, trackingNumber: 'TRK-2' });
    await waitUntil('stock_movements to stop', async () => (await runner.status()).some((s) => s.name === 'stock_movements' && s.state === 'failed'));
    await waitUntil('the other projections to pass the bad event', async () =>
      (await runner.status()).filter((s) => s.name !== 'stock_movements').every((s) => s.state === 'running' && s.eventsBehind === 0),
    );
    const failed = (await runner.status()).find((s) => s.name === 'stock_movements')!;
    expect(failed.reason).toMatch(/catalog\.stock-committed\.v1.*product_id/);
    // The fix: the bad line is corrected in the retained log, then the projection is retried.
    await harness
      .dataSource('reporting')
      .query(`UPDATE reporting.event_log SET data = jsonb_set(data, '{lines,0,productId}', to_jsonb($1::text)) WHERE data->>'orderId' = $2 AND type = $3`, [
        randomUUID(),
        orderId,
        StockCommitted.type,
      ]);
    expect(await runner.retry('stock_movements')).toBe(1);
    await waitUntil('reporting to catch up', caughtUp);
  });
});
