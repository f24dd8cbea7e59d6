import { messagingTablesMigration, outboxClaimMigration } from '@commerce/messaging';
import type { ContextDatabase } from '@commerce/platform';
import { CreatePayments1764000001000 } from './migrations/1764000001000-create-payments.migration';

/** The payments schema and its migrations. */
export const paymentsDatabase: ContextDatabase = {
  context: 'payments',
  migrations: [CreatePayments1764000001000, messagingTablesMigration('payments'), outboxClaimMigration('payments')],
};
