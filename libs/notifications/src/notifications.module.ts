import { Module } from '@nestjs/common';
import { PersistenceModule } from '@commerce/platform';
import { NotifyCustomerHandler } from './application/notify-customer/notify-customer.handler';
import { EmailChannel } from './infrastructure/channels/email.channel';
import { NOTIFICATION_CHANNELS } from './infrastructure/channels/notification-channel.port';
import { notificationsDatabase } from './infrastructure/notifications.database';
import { loadNotificationsConfig, NOTIFICATIONS_CONFIG } from './notifications.config';

/** The notifications context: tells customers about their orders, over pluggable channels. */
@Module({
  imports: [PersistenceModule.forContext(notificationsDatabase)],
  providers: [
    { provide: NOTIFICATIONS_CONFIG, useFactory: () => loadNotificationsConfig() },
    EmailChannel,
    // Adding SMS or push is one more channel here; no saga or handler changes.
    { provide: NOTIFICATION_CHANNELS, inject: [EmailChannel], useFactory: (email: EmailChannel) => [email] },
  ],
  // Message handlers: Nest registers their @Handles patterns from a module's controllers.
  controllers: [NotifyCustomerHandler],
})
export class NotificationsModule {}
