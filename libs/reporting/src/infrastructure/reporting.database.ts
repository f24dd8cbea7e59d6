import { messagingTablesMigration, outboxClaimMigration } from '@commerce/messaging';
import type { ContextDatabase } from '@commerce/platform';
import { projectionTablesMigration } from '@commerce/projections';
import { CreateReporting1764000007000 } from './migrations/1764000007000-create-reporting.migration';

/** The reporting schema and its migrations. */
export const reportingDatabase: ContextDatabase = {
  context: 'reporting',
  migrations: [messagingTablesMigration('reporting'), outboxClaimMigration('reporting'), projectionTablesMigration('reporting'), CreateReporting1764000007000],
};

/** The event log every reporting projection reads. */
export const REPORTING_EVENT_LOG = { table: 'reporting.event_log' };
