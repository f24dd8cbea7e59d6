import { Controller } from '@nestjs/common';
import { PayloadOf, ReleaseStock, ResultOf, StockReleased } from '@commerce/contracts';
import { Handles, inCallerContext, OutboxRow, Outcome, outcomeOf, UnitOfWork } from '@commerce/messaging';
import { InjectDataSource } from '@commerce/platform';
import { DataSource } from 'typeorm';
import { ReservationLine } from '../../domain/reservation.entity';
import { InventoryRepository, RecordedMovement } from '../../infrastructure/inventory.repository';
import { StockGroup } from '../stock-groups/stock-group';

type Result = ResultOf<typeof ReleaseStock>;

/** A release to apply in a group, with the way to announce it (in its caller's context). */
interface Release {
  orderId: string;
  announce: (lines: ReservationLine[]) => OutboxRow;
}

/**
 * Gives an order's stock back. Idempotent; a release that arrives before its reserve leaves a
 * RELEASED marker, so the late reserve cannot hold stock for a cancelled order. Releases of
 * concurrent orders share one transaction (StockGroup), locking as commits do.
 */
@Controller()
export class ReleaseStockHandler {
  private readonly group = new StockGroup<Release, Result>((commands) => this.releaseAll(commands));

  constructor(
    @InjectDataSource('catalog') private readonly dataSource: DataSource,
    private readonly inventory: InventoryRepository,
    private readonly uow: UnitOfWork,
  ) {}

  @Handles(ReleaseStock)
  handle({ orderId }: PayloadOf<typeof ReleaseStock>): Promise<Result> {
    return this.group.submit({ orderId, announce: inCallerContext((lines: ReservationLine[]) => this.uow.outboxRow(StockReleased, { orderId, lines })) });
  }

  private async releaseAll(commands: Release[]): Promise<Map<string, Outcome<Result>>> {
    const outcomes = new Map<string, Outcome<Result>>();
    let written: readonly OutboxRow[] = [];
    await this.dataSource.transaction(async (manager) => {
      const claimed = await this.inventory.claimAll(
        manager,
        commands.map((c) => c.orderId),
        'RELEASED',
      );
      for (const orderId of claimed) outcomes.set(orderId, { ok: true, result: { orderId, status: 'RELEASED' } });
      const rest = commands.filter((c) => !claimed.has(c.orderId));
      // The reservations, then the stock rows of those still RESERVED, locked by one statement.
      const { found, levels } = await this.inventory.findAllWithLinesAndLock(
        manager,
        rest.map((c) => c.orderId),
      );
      const entries: RecordedMovement[] = [];
      for (const { orderId, announce } of rest) {
        outcomes.set(
          orderId,
          outcomeOf((): Result => {
            const { reservation, lines } = found.get(orderId)!;
            if (reservation.release() === 'none') return { orderId, status: reservation.status };
            entries.push({ orderId, lines, saveLines: false, status: 'RELEASED', event: announce(lines) });
            return { orderId, status: 'RELEASED' };
          }),
        );
      }
      if (entries.length === 0) return;
      // Only RESERVED reservations move stock, and their rows are locked: a line whose row is not
      // (none is expected) is locked now, still in product id order among the missing ones.
      const missing = entries.flatMap((e) => e.lines.map((l) => l.productId)).filter((id) => !levels.has(id));
      if (missing.length > 0) await this.inventory.lockLevels(manager, missing);
      await this.inventory.record(manager, 'release', entries);
      written = entries.map((e) => e.event);
    });
    if (written.length > 0) this.uow.written(this.dataSource, written);
    return outcomes;
  }
}
