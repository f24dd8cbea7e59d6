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
  async handle({ orderId }: PayloadOf<typeof ReleaseStock>): Promise<ResultOf<typeof ReleaseStock>> {
    let written = false;
    const result = await this.uow.transaction(this.dataSource, async (manager): Promise<ResultOf<typeof ReleaseStock>> => {
      if (await this.inventory.claim(manager, orderId, 'RELEASED')) return { orderId, status: 'RELEASED' };
      const { reservation, lines } = (await this.inventory.findWithLines(manager, orderId))!;
      if (reservation.release() === 'none') return { orderId, status: reservation.status };
      await this.inventory.lockLevels(
        manager,
        lines.map((l) => l.productId),
      );
      await this.inventory.moveAndRecord(manager, 'release', orderId, lines, 'RELEASED', this.uow.outboxRow(StockReleased, { orderId, lines }));
      written = true;
      return { orderId, status: 'RELEASED' };
    });
    if (written) this.uow.written(this.dataSource);
    return result;
  }
}
