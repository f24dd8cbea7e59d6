import { messagingTablesMigration, outboxClaimMigration } from '@commerce/messaging';
import type { ContextDatabase } from '@commerce/platform';
import { CreateCatalog1764000000000 } from './migrations/1764000000000-create-catalog.migration';

/** The catalog's schema and migrations, in the order they apply. */
export const catalogDatabase: ContextDatabase = {
  context: 'catalog',
  migrations: [CreateCatalog1764000000000, messagingTablesMigration('catalog'), outboxClaimMigration('catalog')],
};
