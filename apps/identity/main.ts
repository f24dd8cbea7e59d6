import 'reflect-metadata';
import { runHttpApp } from '@commerce/platform';
import { IdentityServiceModule } from './identity-service.module';

void runHttpApp(IdentityServiceModule, 'commerce-kit identity');
