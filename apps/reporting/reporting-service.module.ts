import { Module } from '@nestjs/common';
import { MessagingModule } from '@commerce/messaging';
import { PlatformModule } from '@commerce/platform';
import { ReportingModule } from '@commerce/reporting';

/** The reporting context as its own service: its handlers and projections, health on a small HTTP port. */
@Module({ imports: [PlatformModule.forRoot(), MessagingModule.forRoot({ service: 'reporting' }), ReportingModule] })
export class ReportingServiceModule {}
