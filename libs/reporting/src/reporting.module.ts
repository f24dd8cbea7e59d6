import { Module } from '@nestjs/common';
import { PersistenceModule } from '@commerce/platform';
import { projectionProviders } from '@commerce/projections';
import { GetSalesReportHandler } from './application/get-sales-report/get-sales-report.handler';
import { ListCustomerOrdersHandler } from './application/list-customer-orders/list-customer-orders.handler';
import { ManageProjectionsHandler } from './application/manage-projections/manage-projections.handler';
import { RecordIntegrationEventHandler } from './application/record-event/record-integration-event.handler';
import { REPORTING_EVENT_LOG, reportingDatabase } from './infrastructure/reporting.database';
import { REPORTING_PROJECTIONS } from './projections/reporting.projections';

/** The reporting context: read models built only from other contexts' integration events. */
@Module({
  imports: [PersistenceModule.forContext(reportingDatabase)],
  providers: [...projectionProviders({ context: 'reporting', source: REPORTING_EVENT_LOG, projections: REPORTING_PROJECTIONS })],
  // Message handlers: Nest registers their @Handles patterns from a module's controllers.
  controllers: [RecordIntegrationEventHandler, GetSalesReportHandler, ListCustomerOrdersHandler, ManageProjectionsHandler],
})
export class ReportingModule {}
