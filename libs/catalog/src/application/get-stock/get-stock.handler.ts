import { Controller } from '@nestjs/common';
import { GetStock, PayloadOf, StockLevelView } from '@commerce/contracts';
import { Handles } from '@commerce/messaging';
import { InjectDataSource } from '@commerce/platform';
import { DataSource } from 'typeorm';
import { ProductNotFoundError } from '../../domain/catalog.errors';
import { InventoryRepository, toStockView } from '../../infrastructure/inventory.repository';

/** Answers the stock counters of one product. */
@Controller()
export class GetStockHandler {
  constructor(
    @InjectDataSource('catalog') private readonly dataSource: DataSource,
    private readonly inventory: InventoryRepository,
  ) {}

  @Handles(GetStock)
  async handle({ productId }: PayloadOf<typeof GetStock>): Promise<StockLevelView> {
    const level = await this.inventory.findLevel(this.dataSource.manager, productId);
    if (!level) throw new ProductNotFoundError(productId);
    return toStockView(level);
  }
}
