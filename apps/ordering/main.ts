import 'reflect-metadata';
import { runHttpApp } from '@commerce/platform';
import { OrderingServiceModule } from './ordering-service.module';

void runHttpApp(OrderingServiceModule, 'commerce-kit ordering');
