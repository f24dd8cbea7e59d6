import { Controller } from '@nestjs/common';
import { CommitStock, PayloadOf, ResultOf, StockCommitted } from '@commerce/contracts';
import { Handles, UnitOfWork } from '@commerce/messaging';
import { InjectDataSource } from '@commerce/platform';
import { DataSource } from 'typeorm';
import { ReservationNotFoundError } from '../../domain/catalog.errors';
import { InventoryRepository } from '../../infrastructure/inventory.repository';

/** Turns an order's reservation into sold stock; repeating it changes nothing. */
@Controller()
export class CommitStockHandler {
  constructor(
    @InjectDataSource('catalog') private readonly dataSource: DataSource,
    private readonly inventory: InventoryRepository,
    private readonly uow: UnitOfWork,
  ) {}

  @Handles(CommitStock)
  handle({ orderId }: PayloadOf<typeof CommitStock>): Promise<ResultOf<typeof CommitStock>> {
    return this.uow.transaction(this.dataSource, async (manager, emit): Promise<ResultOf<typeof CommitStock>> => {
      const found = await this.inventory.find(manager, orderId, true);
      if (!found) throw new ReservationNotFoundError(orderId);
      if (found.reservation.commit() === 'move') {
        const lines = await this.inventory.lines(manager, orderId);
        await this.inventory.lockLevels(
          manager,
          lines.map((l) => l.productId),
        );
        await this.inventory.move(manager, 'commit', lines);
        await this.inventory.setStatus(manager, orderId, 'COMMITTED');
        await emit(StockCommitted, { orderId, lines });
      }
      return { orderId, status: 'COMMITTED' };
    });
  }
}
