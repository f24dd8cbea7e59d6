import 'reflect-metadata';
// First: tracing (when configured) must hook pg and http before they load.
import '@commerce/telemetry';
import { runHttpApp } from '@commerce/platform';
import { PaymentsServiceModule } from './payments-service.module';

void runHttpApp(PaymentsServiceModule, 'commerce-kit payments');
