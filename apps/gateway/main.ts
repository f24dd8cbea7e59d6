import 'reflect-metadata';
// First: tracing (when configured) must hook pg and http before they load.
import '@commerce/telemetry';
import { runHttpApp } from '@commerce/platform';
import { GatewayModule } from './gateway.module';

void runHttpApp(GatewayModule, 'commerce-kit gateway');
