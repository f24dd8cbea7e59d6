import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@commerce/platform';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { CATALOG_CONFIG, CatalogConfig } from '../../catalog.config';
import { Money } from '../../domain/money.value-object';
import { ProductRepository } from '../../infrastructure/product.repository';
import { DEMO_PRODUCTS } from './demo-products';

/** Loads the demo catalog on first start when the catalog is empty (SEED_DEMO_CATALOG=false turns it off). */
@Injectable()
export class SeedDemoCatalogHandler implements OnApplicationBootstrap {
  private readonly logger = new Logger(SeedDemoCatalogHandler.name);

  constructor(
    @Inject(CATALOG_CONFIG) private readonly config: CatalogConfig,
    @InjectDataSource('catalog') private readonly dataSource: DataSource,
    private readonly products: ProductRepository,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.SEED_DEMO_CATALOG) return;
    const seeded = await this.dataSource.transaction(async (manager) => {
      // The advisory lock keeps two instances starting together from both seeding.
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext('catalog.seed-demo'))`);
      const [{ count }] = (await manager.query(`SELECT count(*)::int AS count FROM catalog.product`)) as { count: number }[];
      if (count > 0) return 0;
      for (const { stock, price, ...fields } of DEMO_PRODUCTS) {
        await this.products.insert({ id: randomUUID(), ...fields, price: Money.of(price.amount, price.currency) }, stock, manager);
      }
      return DEMO_PRODUCTS.length;
    });
    if (seeded) this.logger.log({ msg: 'demo catalog loaded', products: seeded });
  }
}
