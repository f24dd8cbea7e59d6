import type { ReservationStatus } from '@commerce/contracts';
import { ReservationStateConflictError } from './catalog.errors';
import { StockLevel } from './stock-level.value-object';

/** One product and quantity of an order. */
export interface ReservationLine {
  productId: string;
  quantity: number;
}

/** A line that cannot be served. */
export interface Shortage {
  productId: string;
  requested: number;
  available: number;
}

/** The outcome of trying to reserve an order: every line, or a list of what is short. */
export type ReservationPlan = { ok: true; lines: ReservationLine[] } | { ok: false; shortages: Shortage[] };

/** Sums repeated products and sorts by id, the order in which stock rows are locked. */
export function mergeLines(lines: readonly ReservationLine[]): ReservationLine[] {
  const totals = new Map<string, number>();
  for (const line of lines) totals.set(line.productId, (totals.get(line.productId) ?? 0) + line.quantity);
  return [...totals.entries()].map(([productId, quantity]) => ({ productId, quantity })).sort((a, b) => a.productId.localeCompare(b.productId));
}

/** All-or-nothing: the order is reservable only if every line fits what is available. */
export function planReservation(lines: readonly ReservationLine[], levels: ReadonlyMap<string, StockLevel>): ReservationPlan {
  const merged = mergeLines(lines);
  const shortages = merged
    .filter((line) => !levels.get(line.productId)?.canReserve(line.quantity))
    .map((line) => ({ productId: line.productId, requested: line.quantity, available: levels.get(line.productId)?.available ?? 0 }));
  return shortages.length === 0 ? { ok: true, lines: merged } : { ok: false, shortages };
}

/**
 * Plans orders one after the other against the same counters, as if each were reserved before the
 * next is tried: an order sees what the ones before it took. Each order is all or nothing.
 */
export function planReservations(orders: readonly (readonly ReservationLine[])[], levels: ReadonlyMap<string, StockLevel>): ReservationPlan[] {
  const current = new Map(levels);
  return orders.map((lines) => {
    const plan = planReservation(lines, current);
    if (plan.ok) for (const line of plan.lines) current.set(line.productId, current.get(line.productId)!.reserve(line.quantity));
    return plan;
  });
}

/** What a state change does to stock: move quantities, or nothing (already done or never held). */
export type StockEffect = 'move' | 'none';

/** An order's hold on stock and the moves it allows. */
export class Reservation {
  constructor(
    readonly orderId: string,
    readonly status: ReservationStatus,
  ) {}

  /** Giving back is allowed until the stock is sold; repeating it is harmless. */
  release(): StockEffect {
    if (this.status === 'RESERVED') return 'move';
    if (this.status === 'COMMITTED') throw new ReservationStateConflictError(this.orderId, this.status, 'release');
    return 'none';
  }

  /** Selling is allowed from RESERVED; repeating it is harmless. */
  commit(): StockEffect {
    if (this.status === 'RESERVED') return 'move';
    if (this.status === 'COMMITTED') return 'none';
    throw new ReservationStateConflictError(this.orderId, this.status, 'commit');
  }
}
