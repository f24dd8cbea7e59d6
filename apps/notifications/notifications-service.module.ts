import { Module } from '@nestjs/common';
import { NotificationsModule } from '@commerce/notifications';
import { MessagingModule } from '@commerce/messaging';
import { PlatformModule } from '@commerce/platform';

/** The notifications context as its own service: its handlers on the bus, health on a small HTTP port. */
@Module({ imports: [PlatformModule.forRoot(), MessagingModule.forRoot({ service: 'notifications' }), NotificationsModule] })
export class NotificationsServiceModule {}
