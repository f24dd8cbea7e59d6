import { Module } from '@nestjs/common';
import { PaymentsModule } from '@commerce/payments';
import { MessagingModule } from '@commerce/messaging';
import { PlatformModule } from '@commerce/platform';

/** The payments context as its own service: its handlers on the bus, health on a small HTTP port. */
@Module({ imports: [PlatformModule.forRoot(), MessagingModule.forRoot({ service: 'payments' }), PaymentsModule] })
export class PaymentsServiceModule {}
