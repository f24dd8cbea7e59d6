import 'reflect-metadata';
// First: tracing (when configured) must hook pg and http before they load.
import '@commerce/telemetry';
import { runHttpApp } from '@commerce/platform';
import { IdentityServiceModule } from './identity-service.module';

void runHttpApp(IdentityServiceModule, 'commerce-kit identity');
