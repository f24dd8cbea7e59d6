import 'reflect-metadata';
import { catalogDatabase } from '@commerce/catalog';
import { identityDatabase } from '@commerce/identity';
import { notificationsDatabase } from '@commerce/notifications';
import { orderingDatabase } from '@commerce/ordering';
import { paymentsDatabase } from '@commerce/payments';
import { runMigrations } from '@commerce/platform';
import { reportingDatabase } from '@commerce/reporting';
import { shippingDatabase } from '@commerce/shipping';

void runMigrations([identityDatabase, catalogDatabase, orderingDatabase, paymentsDatabase, shippingDatabase, notificationsDatabase, reportingDatabase]);
