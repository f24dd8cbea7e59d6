import 'reflect-metadata';
import { runHttpApp } from '@commerce/platform';
import { GatewayModule } from './gateway.module';

void runHttpApp(GatewayModule, 'commerce-kit gateway');
