import { messagingTablesMigration, outboxClaimMigration } from '@commerce/messaging';
import type { ContextDatabase } from '@commerce/platform';
import { CreateShipping1764000002000 } from './migrations/1764000002000-create-shipping.migration';

/** The shipping schema and its migrations. */
export const shippingDatabase: ContextDatabase = {
  context: 'shipping',
  migrations: [CreateShipping1764000002000, messagingTablesMigration('shipping'), outboxClaimMigration('shipping')],
};
