import 'reflect-metadata';
// First: tracing (when configured) must hook pg and http before they load.
import '@commerce/telemetry';
import { runHttpApp } from '@commerce/platform';
import { ReportingServiceModule } from './reporting-service.module';

void runHttpApp(ReportingServiceModule, 'commerce-kit reporting');
