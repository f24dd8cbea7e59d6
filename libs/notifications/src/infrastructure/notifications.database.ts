import { messagingTablesMigration, outboxClaimMigration } from '@commerce/messaging';
import type { ContextDatabase } from '@commerce/platform';
import { CreateNotifications1764000003000 } from './migrations/1764000003000-create-notifications.migration';

/** The notifications schema and its migrations. */
export const notificationsDatabase: ContextDatabase = {
  context: 'notifications',
  migrations: [CreateNotifications1764000003000, messagingTablesMigration('notifications'), outboxClaimMigration('notifications')],
};
