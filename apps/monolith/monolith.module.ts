import { Module } from '@nestjs/common';
import { CatalogModule } from '@commerce/catalog';
import { EdgeModule } from '@commerce/edge';
import { IdentityModule } from '@commerce/identity';
import { MessagingModule } from '@commerce/messaging';
import { NotificationsModule } from '@commerce/notifications';
import { OrderingModule } from '@commerce/ordering';
import { PaymentsModule } from '@commerce/payments';
import { PlatformModule } from '@commerce/platform';
import { ReportingModule } from '@commerce/reporting';
import { ShippingModule } from '@commerce/shipping';

/** Every context and the HTTP edge in one process. */
@Module({
  imports: [
    PlatformModule.forRoot(),
    MessagingModule.forRoot({ service: 'monolith' }),
    IdentityModule,
    CatalogModule,
    OrderingModule,
    PaymentsModule,
    ShippingModule,
    NotificationsModule,
    ReportingModule,
    EdgeModule,
  ],
})
export class MonolithModule {}
