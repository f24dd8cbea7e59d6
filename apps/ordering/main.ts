import 'reflect-metadata';
// First: tracing (when configured) must hook pg and http before they load.
import '@commerce/telemetry';
import { runHttpApp } from '@commerce/platform';
import { OrderingServiceModule } from './ordering-service.module';

void runHttpApp(OrderingServiceModule, 'commerce-kit ordering');
