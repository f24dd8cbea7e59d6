import { Module } from '@nestjs/common';
import { ShippingModule } from '@commerce/shipping';
import { MessagingModule } from '@commerce/messaging';
import { PlatformModule } from '@commerce/platform';

/** The shipping context as its own service: its handlers on the bus, health on a small HTTP port. */
@Module({ imports: [PlatformModule.forRoot(), MessagingModule.forRoot({ service: 'shipping' }), ShippingModule] })
export class ShippingServiceModule {}
