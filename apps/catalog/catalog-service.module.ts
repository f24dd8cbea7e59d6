import { Module } from '@nestjs/common';
import { CatalogModule } from '@commerce/catalog';
import { CatalogQueriesGrpc } from '@commerce/contracts';
import { MessagingModule } from '@commerce/messaging';
import { PlatformModule } from '@commerce/platform';

/** The catalog context as its own service: its handlers on the bus and its queries over gRPC, health on a small HTTP port. */
@Module({ imports: [PlatformModule.forRoot(), MessagingModule.forRoot({ service: 'catalog', serveGrpc: [CatalogQueriesGrpc] }), CatalogModule] })
export class CatalogServiceModule {}
