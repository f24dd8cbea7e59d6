import { messagingTablesMigration, outboxClaimMigration } from '@commerce/messaging';
import type { ContextDatabase } from '@commerce/platform';
import { CreateIdentity1764000005000 } from './migrations/1764000005000-create-identity.migration';

/** The identity schema and its migrations. */
export const identityDatabase: ContextDatabase = {
  context: 'identity',
  migrations: [CreateIdentity1764000005000, messagingTablesMigration('identity'), outboxClaimMigration('identity')],
};
