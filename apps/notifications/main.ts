import 'reflect-metadata';
// First: tracing (when configured) must hook pg and http before they load.
import '@commerce/telemetry';
import { runHttpApp } from '@commerce/platform';
import { NotificationsServiceModule } from './notifications-service.module';

void runHttpApp(NotificationsServiceModule, 'commerce-kit notifications');
