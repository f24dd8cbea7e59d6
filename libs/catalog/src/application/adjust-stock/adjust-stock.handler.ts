import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { AdjustStock, PayloadOf, StockLevelView } from '@commerce/contracts';
import { Handles, MessageContext } from '@commerce/messaging';
import { InjectDataSource } from '@commerce/platform';
import { DataSource } from 'typeorm';
import { ProductNotFoundError } from '../../domain/catalog.errors';
import { InventoryRepository, toStockView } from '../../infrastructure/inventory.repository';

/** Admin correction of available stock, logged with its reason; a redelivered command is applied once. */
@Controller()
export class AdjustStockHandler {
  constructor(
    @InjectDataSource('catalog') private readonly dataSource: DataSource,
    private readonly inventory: InventoryRepository,
  ) {}

  @Handles(AdjustStock)
  async handle(@Payload() { productId, delta, reason }: PayloadOf<typeof AdjustStock>, @Ctx() ctx: MessageContext): Promise<StockLevelView> {
    return this.dataSource.transaction(async (manager) => {
      const level = await this.inventory.findLevel(manager, productId, true);
      if (!level) throw new ProductNotFoundError(productId);
      if (!(await this.inventory.recordAdjustment(manager, { productId, delta, reason, messageId: ctx.getEnvelope().id }))) return toStockView(level);
      const adjusted = level.adjust(delta);
      await this.inventory.saveAvailable(manager, adjusted);
      return toStockView(adjusted);
    });
  }
}
