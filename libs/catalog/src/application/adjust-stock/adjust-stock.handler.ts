import { Injectable } from '@nestjs/common';
import { AdjustStock, Envelope, PayloadOf, StockLevelView } from '@commerce/contracts';
import { MessageHandler } from '@commerce/messaging';
import { InjectDataSource } from '@commerce/platform';
import { DataSource } from 'typeorm';
import { ProductNotFoundError } from '../../domain/catalog.errors';
import { InventoryRepository, toStockView } from '../../infrastructure/inventory.repository';

/** Admin correction of available stock, logged with its reason; a redelivered command is applied once. */
@Injectable()
export class AdjustStockHandler {
  constructor(
    @InjectDataSource('catalog') private readonly dataSource: DataSource,
    private readonly inventory: InventoryRepository,
  ) {}

  @MessageHandler(AdjustStock)
  async handle({ productId, delta, reason }: PayloadOf<typeof AdjustStock>, envelope: Envelope): Promise<StockLevelView> {
    return this.dataSource.transaction(async (manager) => {
      const level = await this.inventory.findLevel(manager, productId, true);
      if (!level) throw new ProductNotFoundError(productId);
      if (!(await this.inventory.recordAdjustment(manager, { productId, delta, reason, messageId: envelope.id }))) return toStockView(level);
      const adjusted = level.adjust(delta);
      await this.inventory.saveAvailable(manager, adjusted);
      return toStockView(adjusted);
    });
  }
}
