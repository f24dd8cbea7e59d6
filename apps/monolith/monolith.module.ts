import { Module } from '@nestjs/common';
import { CatalogModule } from '@commerce/catalog';
import { EdgeModule } from '@commerce/edge';
import { MessagingModule } from '@commerce/messaging';
import { PlatformModule } from '@commerce/platform';

/** Every context and the HTTP edge in one process. */
@Module({ imports: [PlatformModule.forRoot(), MessagingModule.forRoot({ service: 'monolith' }), CatalogModule, EdgeModule] })
export class MonolithModule {}
