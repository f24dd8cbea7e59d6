import 'reflect-metadata';
// First: tracing (when configured) must hook pg and http before they load.
import '@commerce/telemetry';
import { runHttpApp } from '@commerce/platform';
import { MonolithModule } from './monolith.module';

void runHttpApp(MonolithModule, 'commerce-kit monolith');
