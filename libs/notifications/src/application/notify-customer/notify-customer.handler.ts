import { Controller, Inject } from '@nestjs/common';
import { OrderCancelled, OrderConfirmed, OrderRejected, PayloadOf, PaymentRefunded } from '@commerce/contracts';
import { GroupCommit, Handles, inCallerContext, Outcome, settled } from '@commerce/messaging';
import { InjectDataSource, RequestContext } from '@commerce/platform';
import { DataSource } from 'typeorm';
import { Notification, NotificationKind, renderNotification } from '../../domain/notification-template';
import { NOTIFICATION_CHANNELS, NotificationChannel } from '../../infrastructure/channels/notification-channel.port';

/** One event delivery to notify about: its inbox key, the rendered message, and how to send it in the delivery's own context. */
interface Delivery {
  messageId: string;
  handler: string;
  notification: Notification;
  send: (channel: NotificationChannel) => Promise<void>;
}

/**
 * Tells the customer what happened, by choreography: it subscribes to the events and acts on its
 * own. Each (kind, order, channel) is sent once: the inbox absorbs redeliveries and a unique key
 * absorbs the same fact arriving through two messages.
 */
@Controller()
export class NotifyCustomerHandler {
  /** Deliveries arriving together are recorded and sent in one transaction (group commit). */
  private readonly group: GroupCommit<Delivery, Outcome<void>>;

  constructor(
    @InjectDataSource('notifications') private readonly dataSource: DataSource,
    @Inject(NOTIFICATION_CHANNELS) private readonly channels: NotificationChannel[],
  ) {
    this.group = new GroupCommit(async (deliveries) => this.notifyAll(deliveries));
  }

  @Handles(OrderConfirmed)
  onConfirmed(e: PayloadOf<typeof OrderConfirmed>): Promise<void> {
    return this.notify('order-confirmed', e.orderId, e.email, { total: e.total });
  }

  @Handles(OrderRejected)
  onRejected(e: PayloadOf<typeof OrderRejected>): Promise<void> {
    return this.notify('order-rejected', e.orderId, e.email, { reason: e.reason });
  }

  @Handles(OrderCancelled)
  onCancelled(e: PayloadOf<typeof OrderCancelled>): Promise<void> {
    return this.notify('order-cancelled', e.orderId, e.email, {});
  }

  @Handles(PaymentRefunded)
  async onRefunded(e: PayloadOf<typeof PaymentRefunded>): Promise<void> {
    if (e.email) await this.notify('payment-refunded', e.orderId, e.email, { total: e.amount });
  }

  private async notify(kind: NotificationKind, orderId: string, recipient: string, facts: Parameters<typeof renderNotification>[3]): Promise<void> {
    const ctx = RequestContext.current();
    if (!ctx?.causationId || !ctx.handlerName) throw new Error('NotifyCustomerHandler must run inside a message handler');
    const notification = renderNotification(kind, orderId, recipient, facts);
    // Sent in this delivery's context (its logs and trace), though the group's write may be another delivery's.
    const send = inCallerContext((channel: NotificationChannel) => channel.send(notification));
    settled(await this.group.submit({ messageId: ctx.causationId, handler: ctx.handlerName, notification, send }));
  }

  /**
   * One transaction for a group of deliveries: one statement claims their inbox rows and, for the
   * claimed ones, their notification rows per channel (a (kind, order, channel) already recorded is
   * not sent again); the new ones are sent inside the transaction. A delivery whose sending failed
   * has its rows deleted before the commit and fails alone (its message is retried); the others
   * commit. A message delivered twice within one group is new for its first delivery only.
   */
  private async notifyAll(deliveries: Delivery[]): Promise<Outcome<void>[]> {
    const channels = new Map(this.channels.map((c) => [c.name, c]));
    return this.dataSource.transaction(async (m) => {
      const rows = (await m.query(
        `WITH d AS (
           SELECT * FROM unnest($1::uuid[], $2::text[], $3::int[], $4::text[], $5::uuid[], $6::text[], $7::text[])
             AS d(message_id, handler, ord, kind, order_id, recipient, subject)
         ), claim AS (
           INSERT INTO notifications.inbox (message_id, handler) SELECT message_id, handler FROM d ORDER BY message_id, handler
           ON CONFLICT DO NOTHING RETURNING message_id, handler
         ), fresh AS (
           SELECT DISTINCT ON (d.message_id, d.handler) d.* FROM d JOIN claim USING (message_id, handler) ORDER BY d.message_id, d.handler, d.ord
         ), sent AS (
           INSERT INTO notifications.notification (kind, order_id, channel, recipient, subject)
           SELECT f.kind, f.order_id, ch.name, f.recipient, f.subject FROM fresh f CROSS JOIN unnest($8::text[]) AS ch(name) ORDER BY f.ord
           ON CONFLICT DO NOTHING RETURNING kind, order_id, channel
         )
         SELECT f.ord, NULL AS channel FROM fresh f
         UNION ALL
         SELECT f.ord, s.channel FROM sent s JOIN LATERAL (
           SELECT min(f.ord) AS ord FROM fresh f WHERE f.kind = s.kind AND f.order_id = s.order_id
         ) f ON true`,
        [
          deliveries.map((d) => d.messageId),
          deliveries.map((d) => d.handler),
          deliveries.map((_, i) => i),
          deliveries.map((d) => d.notification.kind),
          deliveries.map((d) => d.notification.orderId),
          deliveries.map((d) => d.notification.recipient),
          deliveries.map((d) => d.notification.subject),
          [...channels.keys()],
        ],
      )) as { ord: number; channel: string | null }[];
      const toSend = new Map<number, NotificationChannel[]>();
      for (const r of rows) {
        const list = toSend.get(r.ord) ?? [];
        if (r.channel !== null) list.push(channels.get(r.channel)!);
        toSend.set(r.ord, list);
      }
      // Sent inside the transaction: a failure takes the delivery's records back and its event is retried.
      const outcomes: Outcome<void>[] = await Promise.all(
        deliveries.map(async (d, i): Promise<Outcome<void>> => {
          try {
            for (const channel of toSend.get(i) ?? []) await d.send(channel);
            return { ok: true, result: undefined };
          } catch (error) {
            return { ok: false, error };
          }
        }),
      );
      const failed = [...toSend].filter(([i]) => !outcomes[i].ok);
      if (failed.length > 0) {
        const records = failed.flatMap(([i, list]) => list.map((channel) => ({ n: deliveries[i].notification, channel: channel.name })));
        await m.query(
          `WITH inbox AS (
             DELETE FROM notifications.inbox i USING unnest($1::uuid[], $2::text[]) AS f(message_id, handler)
             WHERE i.message_id = f.message_id AND i.handler = f.handler
           )
           DELETE FROM notifications.notification n USING unnest($3::text[], $4::uuid[], $5::text[]) AS f(kind, order_id, channel)
           WHERE n.kind = f.kind AND n.order_id = f.order_id AND n.channel = f.channel`,
          [
            failed.map(([i]) => deliveries[i].messageId),
            failed.map(([i]) => deliveries[i].handler),
            records.map((r) => r.n.kind),
            records.map((r) => r.n.orderId),
            records.map((r) => r.channel),
          ],
        );
      }
      return outcomes;
    });
  }
}
