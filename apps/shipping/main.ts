import 'reflect-metadata';
import { runHttpApp } from '@commerce/platform';
import { ShippingServiceModule } from './shipping-service.module';

void runHttpApp(ShippingServiceModule, 'commerce-kit shipping');
