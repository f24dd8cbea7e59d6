import 'reflect-metadata';
// First: tracing (when configured) must hook pg and http before they load.
import '@commerce/telemetry';
import { runHttpApp } from '@commerce/platform';
import { ShippingServiceModule } from './shipping-service.module';

void runHttpApp(ShippingServiceModule, 'commerce-kit shipping');
