import { Injectable } from '@nestjs/common';
import { PayloadOf, ReleaseStock, ResultOf, StockReleased } from '@commerce/contracts';
import { MessageBus, MessageHandler } from '@commerce/messaging';
import { InjectDataSource } from '@commerce/platform';
import { DataSource } from 'typeorm';
import { ReservationLine } from '../../domain/reservation.entity';
import { InventoryRepository } from '../../infrastructure/inventory.repository';

/**
 * Gives an order's stock back. Idempotent; a release that arrives before its reserve leaves a
 * RELEASED marker, so the late reserve cannot hold stock for a cancelled order.
 */
@Injectable()
export class ReleaseStockHandler {
  constructor(
    @InjectDataSource('catalog') private readonly dataSource: DataSource,
    private readonly inventory: InventoryRepository,
    private readonly bus: MessageBus,
  ) {}

  @MessageHandler(ReleaseStock)
  async handle({ orderId }: PayloadOf<typeof ReleaseStock>): Promise<ResultOf<typeof ReleaseStock>> {
    const released = await this.dataSource.transaction(async (manager): Promise<ReservationLine[] | undefined> => {
      if (await this.inventory.claim(manager, orderId, 'RELEASED')) return undefined;
      const { reservation } = (await this.inventory.find(manager, orderId, true))!;
      if (reservation.release() === 'none') return undefined;
      const lines = await this.inventory.lines(manager, orderId);
      await this.inventory.lockLevels(
        manager,
        lines.map((l) => l.productId),
      );
      await this.inventory.move(manager, 'release', lines);
      await this.inventory.setStatus(manager, orderId, 'RELEASED');
      return lines;
    });
    if (released) await this.bus.publish(StockReleased, { orderId, lines: released });
    const current = await this.inventory.find(this.dataSource.manager, orderId);
    return { orderId, status: current!.reservation.status };
  }
}
