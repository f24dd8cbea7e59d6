import { Injectable } from '@nestjs/common';
import { CommitStock, PayloadOf, ResultOf, StockCommitted } from '@commerce/contracts';
import { MessageBus, MessageHandler } from '@commerce/messaging';
import { InjectDataSource } from '@commerce/platform';
import { DataSource } from 'typeorm';
import { ReservationNotFoundError } from '../../domain/catalog.errors';
import { ReservationLine } from '../../domain/reservation.entity';
import { InventoryRepository } from '../../infrastructure/inventory.repository';

/** Turns an order's reservation into sold stock; repeating it changes nothing. */
@Injectable()
export class CommitStockHandler {
  constructor(
    @InjectDataSource('catalog') private readonly dataSource: DataSource,
    private readonly inventory: InventoryRepository,
    private readonly bus: MessageBus,
  ) {}

  @MessageHandler(CommitStock)
  async handle({ orderId }: PayloadOf<typeof CommitStock>): Promise<ResultOf<typeof CommitStock>> {
    const committed = await this.dataSource.transaction(async (manager): Promise<ReservationLine[] | undefined> => {
      const found = await this.inventory.find(manager, orderId, true);
      if (!found) throw new ReservationNotFoundError(orderId);
      if (found.reservation.commit() === 'none') return undefined;
      const lines = await this.inventory.lines(manager, orderId);
      await this.inventory.lockLevels(
        manager,
        lines.map((l) => l.productId),
      );
      await this.inventory.move(manager, 'commit', lines);
      await this.inventory.setStatus(manager, orderId, 'COMMITTED');
      return lines;
    });
    if (committed) await this.bus.publish(StockCommitted, { orderId, lines: committed });
    return { orderId, status: 'COMMITTED' };
  }
}
