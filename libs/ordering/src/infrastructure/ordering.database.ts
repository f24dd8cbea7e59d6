import { messagingTablesMigration, outboxClaimMigration } from '@commerce/messaging';
import type { ContextDatabase } from '@commerce/platform';
import { CreateOrdering1764000004000 } from './migrations/1764000004000-create-ordering.migration';
import { OrderEventCommitOrder1764000004100 } from './migrations/1764000004100-order-event-commit-order.migration';
import { OrderTimer1764000004200 } from './migrations/1764000004200-order-timer.migration';

/** The ordering schema and its migrations. */
export const orderingDatabase: ContextDatabase = {
  context: 'ordering',
  migrations: [
    CreateOrdering1764000004000,
    messagingTablesMigration('ordering'),
    outboxClaimMigration('ordering'),
    OrderEventCommitOrder1764000004100,
    OrderTimer1764000004200,
  ],
};
