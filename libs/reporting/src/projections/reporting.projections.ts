import { ProjectionDefinition } from '@commerce/projections';
import { customerOrdersProjection } from './customer-orders.projection';
import { salesDailyProjection } from './sales-daily.projection';
import { stockMovementsProjection } from './stock-movements.projection';

/** Every read model reporting builds from its event log. */
export const REPORTING_PROJECTIONS: ProjectionDefinition[] = [salesDailyProjection, customerOrdersProjection, stockMovementsProjection];
