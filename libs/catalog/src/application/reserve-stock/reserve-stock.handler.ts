import { Controller } from '@nestjs/common';
import { PayloadOf, ReserveStock, ResultOf, StockReservationFailed, StockReserved } from '@commerce/contracts';
import { Handles, UnitOfWork } from '@commerce/messaging';
import { InjectDataSource } from '@commerce/platform';
import { DataSource } from 'typeorm';
import { mergeLines, planReservation } from '../../domain/reservation.entity';
import { InventoryRepository } from '../../infrastructure/inventory.repository';

/** Reserves every line of an order or none; a repeated order id returns the first outcome. */
@Controller()
export class ReserveStockHandler {
  constructor(
    @InjectDataSource('catalog') private readonly dataSource: DataSource,
    private readonly inventory: InventoryRepository,
    private readonly uow: UnitOfWork,
  ) {}

  @Handles(ReserveStock)
  async handle({ orderId, lines }: PayloadOf<typeof ReserveStock>): Promise<ResultOf<typeof ReserveStock>> {
    let written = false;
    const result = await this.uow.transaction(this.dataSource, async (manager): Promise<ResultOf<typeof ReserveStock>> => {
      // The claim row serialises duplicates of one order: a second attempt waits, then sees the first outcome.
      if (!(await this.inventory.claim(manager, orderId, 'PENDING'))) {
        const existing = (await this.inventory.find(manager, orderId))!;
        return { orderId, status: existing.reservation.status, ...(existing.shortages ? { shortages: existing.shortages } : {}) };
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
        const failed = this.uow.outboxRow(StockReservationFailed, { orderId, shortages: plan.shortages });
        await this.inventory.setStatusAndRecord(manager, orderId, 'REJECTED', plan.shortages, failed);
        written = true;
        return { orderId, status: 'REJECTED', shortages: plan.shortages };
      }
      // The write half is one statement: counters, lines, status and the event's outbox row.
      await this.inventory.moveAndRecord(
        manager,
        'reserve',
        orderId,
        plan.lines,
        'RESERVED',
        this.uow.outboxRow(StockReserved, { orderId, lines: plan.lines }),
        true,
      );
      written = true;
      return { orderId, status: 'RESERVED' };
    });
    if (written) this.uow.written(this.dataSource);
    return result;
  }
}
