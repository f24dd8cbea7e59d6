import 'reflect-metadata';
import { runHttpApp } from '@commerce/platform';
import { MonolithModule } from './monolith.module';

void runHttpApp(MonolithModule, 'commerce-kit monolith');
