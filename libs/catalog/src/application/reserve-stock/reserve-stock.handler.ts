import { Injectable } from '@nestjs/common';
import { PayloadOf, ReserveStock, ResultOf, StockReservationFailed, StockReserved } from '@commerce/contracts';
import { MessageBus, MessageHandler } from '@commerce/messaging';
import { InjectDataSource } from '@commerce/platform';
import { DataSource } from 'typeorm';
import { mergeLines, planReservation } from '../../domain/reservation.entity';
import { InventoryRepository } from '../../infrastructure/inventory.repository';

type Outcome = ResultOf<typeof ReserveStock> & { fresh: boolean; lines: { productId: string; quantity: number }[] };

/** Reserves every line of an order or none; a repeated order id returns the first outcome. */
@Injectable()
export class ReserveStockHandler {
  constructor(
    @InjectDataSource('catalog') private readonly dataSource: DataSource,
    private readonly inventory: InventoryRepository,
    private readonly bus: MessageBus,
  ) {}

  @MessageHandler(ReserveStock)
  async handle({ orderId, lines }: PayloadOf<typeof ReserveStock>): Promise<ResultOf<typeof ReserveStock>> {
    const outcome = await this.dataSource.transaction(async (manager): Promise<Outcome> => {
      // The claim row serialises duplicates of one order: a second attempt waits, then sees the first outcome.
      if (!(await this.inventory.claim(manager, orderId, 'PENDING'))) {
        const existing = await this.inventory.find(manager, orderId);
        return { orderId, status: existing!.reservation.status, shortages: existing!.shortages, fresh: false, lines: [] };
      }
      const merged = mergeLines(lines);
      const plan = planReservation(
        merged,
        await this.inventory.lockLevels(
          manager,
          merged.map((l) => l.productId),
        ),
      );
      if (!plan.ok) {
        await this.inventory.setStatus(manager, orderId, 'REJECTED', plan.shortages);
        return { orderId, status: 'REJECTED', shortages: plan.shortages, fresh: true, lines: merged };
      }
      await this.inventory.move(manager, 'reserve', plan.lines);
      await this.inventory.saveLines(manager, orderId, plan.lines);
      await this.inventory.setStatus(manager, orderId, 'RESERVED');
      return { orderId, status: 'RESERVED', fresh: true, lines: plan.lines };
    });
    if (outcome.fresh && outcome.status === 'RESERVED') await this.bus.publish(StockReserved, { orderId, lines: outcome.lines });
    if (outcome.fresh && outcome.status === 'REJECTED') await this.bus.publish(StockReservationFailed, { orderId, shortages: outcome.shortages ?? [] });
    return { orderId, status: outcome.status, ...(outcome.shortages ? { shortages: outcome.shortages } : {}) };
  }
}
