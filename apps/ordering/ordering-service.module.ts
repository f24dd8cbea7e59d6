import { Module } from '@nestjs/common';
import { OrderingModule } from '@commerce/ordering';
import { MessagingModule } from '@commerce/messaging';
import { PlatformModule } from '@commerce/platform';

/** The ordering context as its own service: its handlers on the bus, health on a small HTTP port. */
@Module({ imports: [PlatformModule.forRoot(), MessagingModule.forRoot({ service: 'ordering' }), OrderingModule] })
export class OrderingServiceModule {}
