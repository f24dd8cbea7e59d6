import { Controller } from '@nestjs/common';
import { PayloadOf, ReserveStock, ResultOf, StockReservationFailed, StockReserved } from '@commerce/contracts';
import { Handles, inCallerContext, OutboxRow, Outcome, UnitOfWork } from '@commerce/messaging';
import { InjectDataSource } from '@commerce/platform';
import { DataSource } from 'typeorm';
import { mergeLines, planReservations, ReservationLine, ReservationPlan } from '../../domain/reservation.entity';
import { InventoryRepository, RecordedMovement } from '../../infrastructure/inventory.repository';
import { StockGroup } from '../stock-groups/stock-group';

type Result = ResultOf<typeof ReserveStock>;

/** A reservation to decide in a group, with the way to announce its outcome (in its caller's context). */
interface Reserve {
  orderId: string;
  lines: ReservationLine[];
  announce: (plan: ReservationPlan) => OutboxRow;
}

/**
 * Reserves every line of an order or none; a repeated order id returns the first outcome.
 * Reservations of concurrent orders are decided in one transaction (StockGroup): the order ids are
 * claimed together, the union of their stock rows is locked in id order, each order is planned
 * against what the ones before it took, and one statement writes the counters, lines, statuses and
 * events of all of them.
 */
@Controller()
export class ReserveStockHandler {
  private readonly group = new StockGroup<Reserve, Result>((commands) => this.reserveAll(commands));

  constructor(
    @InjectDataSource('catalog') private readonly dataSource: DataSource,
    private readonly inventory: InventoryRepository,
    private readonly uow: UnitOfWork,
  ) {}

  @Handles(ReserveStock)
  handle({ orderId, lines }: PayloadOf<typeof ReserveStock>): Promise<Result> {
    const announce = inCallerContext((plan: ReservationPlan) =>
      plan.ok
        ? this.uow.outboxRow(StockReserved, { orderId, lines: plan.lines })
        : this.uow.outboxRow(StockReservationFailed, { orderId, shortages: plan.shortages }),
    );
    return this.group.submit({ orderId, lines: mergeLines(lines), announce });
  }

  private async reserveAll(commands: Reserve[]): Promise<Map<string, Outcome<Result>>> {
    const outcomes = new Map<string, Outcome<Result>>();
    let written: readonly OutboxRow[] = [];
    await this.dataSource.transaction(async (manager) => {
      // The claim rows serialise duplicates of one order: a second attempt waits, then sees the first
      // outcome. The stock rows of the orders claimed are locked by the same statement, after the claims.
      const { claimed, levels } = await this.inventory.claimAndLock(
        manager,
        commands.map((c) => ({ orderId: c.orderId, productIds: c.lines.map((l) => l.productId) })),
        'PENDING',
      );
      const known = await this.inventory.findAll(
        manager,
        commands.filter((c) => !claimed.has(c.orderId)).map((c) => c.orderId),
      );
      for (const [orderId, { reservation, shortages }] of known)
        outcomes.set(orderId, { ok: true, result: { orderId, status: reservation.status, ...(shortages ? { shortages } : {}) } });
      const fresh = commands.filter((c) => claimed.has(c.orderId));
      if (fresh.length === 0) return;
      const plans = planReservations(
        fresh.map((c) => c.lines),
        levels,
      );
      const entries: RecordedMovement[] = fresh.map((c, i) => {
        const plan = plans[i];
        outcomes.set(c.orderId, {
          ok: true,
          result: plan.ok ? { orderId: c.orderId, status: 'RESERVED' } : { orderId: c.orderId, status: 'REJECTED', shortages: plan.shortages },
        });
        return plan.ok
          ? { orderId: c.orderId, lines: plan.lines, saveLines: true, status: 'RESERVED', event: c.announce(plan) }
          : { orderId: c.orderId, lines: [], saveLines: false, status: 'REJECTED', shortages: plan.shortages, event: c.announce(plan) };
      });
      // The write half is one statement: counters, lines, statuses and the events' outbox rows.
      await this.inventory.record(manager, 'reserve', entries);
      written = entries.map((e) => e.event);
    });
    if (written.length > 0) this.uow.written(this.dataSource, written);
    return outcomes;
  }
}
