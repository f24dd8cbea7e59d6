import { Controller } from '@nestjs/common';
import { PayloadOf, ReleaseStock, ResultOf, StockReleased } from '@commerce/contracts';
import { Handles, UnitOfWork } from '@commerce/messaging';
import { InjectDataSource } from '@commerce/platform';
import { DataSource } from 'typeorm';
import { InventoryRepository } from '../../infrastructure/inventory.repository';

/**
 * Gives an order's stock back. Idempotent; a release that arrives before its reserve leaves a
 * RELEASED marker, so the late reserve cannot hold stock for a cancelled order.
 */
@Controller()
export class ReleaseStockHandler {
  constructor(
    @InjectDataSource('catalog') private readonly dataSource: DataSource,
    private readonly inventory: InventoryRepository,
    private readonly uow: UnitOfWork,
  ) {}

  @Handles(ReleaseStock)
  handle({ orderId }: PayloadOf<typeof ReleaseStock>): Promise<ResultOf<typeof ReleaseStock>> {
    return this.uow.transaction(this.dataSource, async (manager, emit): Promise<ResultOf<typeof ReleaseStock>> => {
      if (await this.inventory.claim(manager, orderId, 'RELEASED')) return { orderId, status: 'RELEASED' };
      const { reservation } = (await this.inventory.find(manager, orderId, true))!;
      if (reservation.release() === 'none') return { orderId, status: reservation.status };
      const lines = await this.inventory.lines(manager, orderId);
      await this.inventory.lockLevels(
        manager,
        lines.map((l) => l.productId),
      );
      await this.inventory.move(manager, 'release', lines);
      await this.inventory.setStatus(manager, orderId, 'RELEASED');
      await emit(StockReleased, { orderId, lines });
      return { orderId, status: 'RELEASED' };
    });
  }
}
