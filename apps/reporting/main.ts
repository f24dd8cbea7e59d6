import 'reflect-metadata';
import { runHttpApp } from '@commerce/platform';
import { ReportingServiceModule } from './reporting-service.module';

void runHttpApp(ReportingServiceModule, 'commerce-kit reporting');
