import { Module } from '@nestjs/common';
import { PersistenceModule } from '@commerce/platform';
import { AdjustStockHandler } from './application/adjust-stock/adjust-stock.handler';
import { CommitStockHandler } from './application/commit-stock/commit-stock.handler';
import { CreateProductHandler } from './application/create-product/create-product.handler';
import { GetProductHandler } from './application/get-product/get-product.handler';
import { GetProductsHandler } from './application/get-products/get-products.handler';
import { GetStockHandler } from './application/get-stock/get-stock.handler';
import { ListProductsHandler } from './application/list-products/list-products.handler';
import { ReleaseStockHandler } from './application/release-stock/release-stock.handler';
import { ReserveStockHandler } from './application/reserve-stock/reserve-stock.handler';
import { SeedDemoCatalogHandler } from './application/seed-demo-catalog/seed-demo-catalog.handler';
import { UpdateProductHandler } from './application/update-product/update-product.handler';
import { CATALOG_CONFIG, loadCatalogConfig } from './catalog.config';
import { catalogDatabase } from './infrastructure/catalog.database';
import { InventoryRepository } from './infrastructure/inventory.repository';
import { ProductRepository } from './infrastructure/product.repository';

/** The catalog context: products and inventory, reachable only through its messages. */
@Module({
  imports: [PersistenceModule.forContext(catalogDatabase)],
  providers: [{ provide: CATALOG_CONFIG, useFactory: () => loadCatalogConfig() }, ProductRepository, InventoryRepository, SeedDemoCatalogHandler],
  // Message handlers: Nest registers their @Handles patterns from a module's controllers.
  controllers: [
    CreateProductHandler,
    UpdateProductHandler,
    GetProductHandler,
    GetProductsHandler,
    ListProductsHandler,
    GetStockHandler,
    AdjustStockHandler,
    ReserveStockHandler,
    ReleaseStockHandler,
    CommitStockHandler,
  ],
})
export class CatalogModule {}
