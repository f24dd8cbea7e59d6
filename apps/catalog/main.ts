import 'reflect-metadata';
import { runHttpApp } from '@commerce/platform';
import { CatalogServiceModule } from './catalog-service.module';

void runHttpApp(CatalogServiceModule, 'commerce-kit catalog');
