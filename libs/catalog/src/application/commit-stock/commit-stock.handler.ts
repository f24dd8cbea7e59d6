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
  async handle({ orderId }: PayloadOf<typeof CommitStock>): Promise<ResultOf<typeof CommitStock>> {
    let written = false;
    const result = await this.uow.transaction(this.dataSource, async (manager): Promise<ResultOf<typeof CommitStock>> => {
      const found = await this.inventory.findWithLines(manager, orderId);
      if (!found) throw new ReservationNotFoundError(orderId);
      if (found.reservation.commit() === 'move') {
        const { lines } = found;
        await this.inventory.lockLevels(
          manager,
          lines.map((l) => l.productId),
        );
        await this.inventory.moveAndRecord(manager, 'commit', orderId, lines, 'COMMITTED', this.uow.outboxRow(StockCommitted, { orderId, lines }));
        written = true;
      }
      return { orderId, status: 'COMMITTED' };
    });
    if (written) this.uow.written(this.dataSource);
    return result;
  }
}
