import { Controller } from '@nestjs/common';
import { CommitStock, PayloadOf, ResultOf, StockCommitted } from '@commerce/contracts';
import { Handles, inCallerContext, OutboxRow, Outcome, outcomeOf, UnitOfWork } from '@commerce/messaging';
import { InjectDataSource } from '@commerce/platform';
import { DataSource } from 'typeorm';
import { ReservationNotFoundError } from '../../domain/catalog.errors';
import { ReservationLine } from '../../domain/reservation.entity';
import { InventoryRepository, RecordedMovement } from '../../infrastructure/inventory.repository';
import { StockGroup } from '../stock-groups/stock-group';

type Result = ResultOf<typeof CommitStock>;

/** A commit to apply in a group, with the way to announce it (in its caller's context). */
interface Commit {
  orderId: string;
  announce: (lines: ReservationLine[]) => OutboxRow;
}

/**
 * Turns an order's reservation into sold stock; repeating it changes nothing. Commits of concurrent
 * orders share one transaction (StockGroup): their reservations are locked in order id order, then
 * the union of their stock rows in product id order, and one statement writes them all.
 */
@Controller()
export class CommitStockHandler {
  private readonly group = new StockGroup<Commit, Result>((commands) => this.commitAll(commands));

  constructor(
    @InjectDataSource('catalog') private readonly dataSource: DataSource,
    private readonly inventory: InventoryRepository,
    private readonly uow: UnitOfWork,
  ) {}

  @Handles(CommitStock)
  handle({ orderId }: PayloadOf<typeof CommitStock>): Promise<Result> {
    return this.group.submit({ orderId, announce: inCallerContext((lines: ReservationLine[]) => this.uow.outboxRow(StockCommitted, { orderId, lines })) });
  }

  private async commitAll(commands: Commit[]): Promise<Map<string, Outcome<Result>>> {
    const outcomes = new Map<string, Outcome<Result>>();
    let written: readonly OutboxRow[] = [];
    await this.dataSource.transaction(async (manager) => {
      // The reservations, then the stock rows of those still RESERVED, locked by one statement.
      const { found, levels } = await this.inventory.findAllWithLinesAndLock(
        manager,
        commands.map((c) => c.orderId),
      );
      const entries: RecordedMovement[] = [];
      for (const { orderId, announce } of commands) {
        outcomes.set(
          orderId,
          outcomeOf(() => {
            const reservation = found.get(orderId);
            if (!reservation) throw new ReservationNotFoundError(orderId);
            if (reservation.reservation.commit() === 'move') {
              const { lines } = reservation;
              entries.push({ orderId, lines, saveLines: false, status: 'COMMITTED', event: announce(lines) });
            }
            return { orderId, status: 'COMMITTED' as const };
          }),
        );
      }
      if (entries.length === 0) return;
      // Only RESERVED reservations move stock, and their rows are locked: a line whose row is not
      // (none is expected) is locked now, still in product id order among the missing ones.
      const missing = entries.flatMap((e) => e.lines.map((l) => l.productId)).filter((id) => !levels.has(id));
      if (missing.length > 0) await this.inventory.lockLevels(manager, missing);
      await this.inventory.record(manager, 'commit', entries);
      written = entries.map((e) => e.event);
    });
    if (written.length > 0) this.uow.written(this.dataSource, written);
    return outcomes;
  }
}
