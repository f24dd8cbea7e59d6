import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { OrderConfirmed, PayloadOf } from '@commerce/contracts';
import { MessageBus } from '@commerce/messaging';
import { NotificationsModule } from '@commerce/notifications';
import { bootContexts, ContextHarness } from '../../../test/support/context-harness';
import { createScratchDatabase, ScratchDatabase } from '../../../test/support/postgres';
import { waitUntil } from '../../../test/support/wait-until';

describe.each(['postgres', 'pglite'] as const)('customer notifications on %s', (backend) => {
  let db: ScratchDatabase | undefined;
  let harness: ContextHarness;
  let bus: MessageBus;
  const mailDir = mkdtempSync(join(tmpdir(), 'commerce-notify-'));

  beforeAll(async () => {
    db = backend === 'postgres' ? await createScratchDatabase('commerce_it_notifications') : undefined;
    harness = await bootContexts(db ? { kind: 'postgres', url: db.url } : { kind: 'pglite' }, [NotificationsModule], [], {
      env: { MAIL_DIR: mailDir, RETRY_DELAYS_MS: '500,500,500,500,500,500' },
    });
    bus = harness.get(MessageBus);
  });

  afterAll(async () => {
    await harness?.close();
    await db?.drop();
    rmSync(mailDir, { recursive: true, force: true });
  });

  const confirmed = (orderId: string): PayloadOf<typeof OrderConfirmed> => ({
    orderId,
    customerId: 'c-notify',
    email: 'c@example.com',
    total: { amount: 1200, currency: 'EUR' },
  });
  const recorded = async (orderIds: string[]) =>
    (
      (await harness
        .dataSource('notifications')
        .query(`SELECT order_id FROM notifications.notification WHERE kind = 'order-confirmed' AND order_id = ANY($1::uuid[])`, [orderIds])) as {
        order_id: string;
      }[]
    ).map((r) => r.order_id);
  const mails = (orderId: string) => readdirSync(mailDir).filter((f) => f === `${orderId}.order-confirmed.eml`);

  it('sends each of several events arriving together once, and retries only the one whose sending failed', async () => {
    const orders = Array.from({ length: 6 }, () => randomUUID());
    const bad = orders[2];
    // A directory where its email file goes makes that one sending fail.
    mkdirSync(join(mailDir, `${bad}.order-confirmed.eml`), { recursive: true });
    const raws = orders.map((orderId) => JSON.stringify(bus.envelope(OrderConfirmed, confirmed(orderId))));
    // Delivered at once (twice each, as a broker redelivery would), so they are written as groups.
    await Promise.all([...raws, ...raws].map((raw) => harness.transport.publish(OrderConfirmed.type, raw)));
    await waitUntil('the others recorded', async () => (await recorded(orders)).length === orders.length - 1, 10_000);
    expect((await recorded(orders)).sort()).toEqual(orders.filter((o) => o !== bad).sort());
    for (const orderId of orders.filter((o) => o !== bad)) expect(mails(orderId)).toHaveLength(1);
    // Once sending works again, the failed event's retry sends it, once.
    rmSync(join(mailDir, `${bad}.order-confirmed.eml`), { recursive: true });
    await waitUntil('the failed one retried', async () => (await recorded([bad])).length === 1, 10_000);
    await harness.settle();
    expect((await recorded(orders)).sort()).toEqual([...orders].sort());
    expect(mails(bad)).toHaveLength(1);
    const [{ n }] = (await harness
      .dataSource('notifications')
      .query(`SELECT count(*)::int AS n FROM notifications.notification WHERE order_id = ANY($1::uuid[])`, [orders])) as { n: number }[];
    expect(n).toBe(orders.length);
  });
});
