import 'reflect-metadata';
// First: tracing (when configured) must hook pg and http before they load.
import '@commerce/telemetry';
import { runHttpApp } from '@commerce/platform';
import { CatalogServiceModule } from './catalog-service.module';

void runHttpApp(CatalogServiceModule, 'commerce-kit catalog');
