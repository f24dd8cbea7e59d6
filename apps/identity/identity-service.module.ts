import { Module } from '@nestjs/common';
import { IdentityModule } from '@commerce/identity';
import { MessagingModule } from '@commerce/messaging';
import { PlatformModule } from '@commerce/platform';

/** The identity context as its own service: its handlers on the bus, health on a small HTTP port. */
@Module({ imports: [PlatformModule.forRoot(), MessagingModule.forRoot({ service: 'identity' }), IdentityModule] })
export class IdentityServiceModule {}
