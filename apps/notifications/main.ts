import 'reflect-metadata';
import { runHttpApp } from '@commerce/platform';
import { NotificationsServiceModule } from './notifications-service.module';

void runHttpApp(NotificationsServiceModule, 'commerce-kit notifications');
