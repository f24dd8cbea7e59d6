import { Controller, Inject } from '@nestjs/common';
import { OrderCancelled, OrderConfirmed, OrderRejected, PayloadOf, PaymentRefunded } from '@commerce/contracts';
import { Handles, UnitOfWork } from '@commerce/messaging';
import { InjectDataSource } from '@commerce/platform';
import { DataSource, EntityManager } from 'typeorm';
import { Notification, NotificationKind, renderNotification } from '../../domain/notification-template';
import { NOTIFICATION_CHANNELS, NotificationChannel } from '../../infrastructure/channels/notification-channel.port';

/**
 * Tells the customer what happened, by choreography: it subscribes to the events and acts on its
 * own. Each (kind, order, channel) is sent once: the inbox absorbs redeliveries and a unique key
 * absorbs the same fact arriving through two messages.
 */
@Controller()
export class NotifyCustomerHandler {
  constructor(
    @InjectDataSource('notifications') private readonly dataSource: DataSource,
    private readonly uow: UnitOfWork,
    @Inject(NOTIFICATION_CHANNELS) private readonly channels: NotificationChannel[],
  ) {}

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
    const notification = renderNotification(kind, orderId, recipient, facts);
    await this.uow.once(this.dataSource, async (m) => {
      for (const channel of this.channels) await this.sendOnce(m, channel, notification);
    });
  }

  private async sendOnce(m: EntityManager, channel: NotificationChannel, n: Notification): Promise<void> {
    const claimed = (await m.query(
      `INSERT INTO notifications.notification (kind, order_id, channel, recipient, subject) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING id`,
      [n.kind, n.orderId, channel.name, n.recipient, n.subject],
    )) as unknown[];
    // Sent inside the transaction: a failure rolls the record back and the event is retried.
    if (claimed.length === 1) await channel.send(n);
  }
}
