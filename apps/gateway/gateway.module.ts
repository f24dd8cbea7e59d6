import { Module } from '@nestjs/common';
import { EdgeModule } from '@commerce/edge';
import { MessagingModule } from '@commerce/messaging';
import { PlatformModule } from '@commerce/platform';

/** The HTTP edge alone; every context is reached over the bus. */
@Module({ imports: [PlatformModule.forRoot(), MessagingModule.forRoot({ service: 'gateway' }), EdgeModule] })
export class GatewayModule {}
