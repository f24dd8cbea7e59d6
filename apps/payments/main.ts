import 'reflect-metadata';
import { runHttpApp } from '@commerce/platform';
import { PaymentsServiceModule } from './payments-service.module';

void runHttpApp(PaymentsServiceModule, 'commerce-kit payments');
