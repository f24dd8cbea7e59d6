import { Injectable } from '@nestjs/common';
import type { ReservationStatus, StockLevelView } from '@commerce/contracts';
import type { OutboxRow } from '@commerce/messaging';
import { EntityManager } from 'typeorm';
import { mergeLines, Reservation, ReservationLine, Shortage } from '../domain/reservation.entity';
import { StockLevel } from '../domain/stock-level.value-object';

interface StockRow {
  product_id: string;
  available: string;
  reserved: string;
  committed: string;
}

function toStockLevel(row: StockRow): StockLevel {
  return new StockLevel(row.product_id, Number(row.available), Number(row.reserved), Number(row.committed));
}

/** Stock view on the wire. */
export function toStockView(level: StockLevel): StockLevelView {
  return { productId: level.productId, available: level.available, reserved: level.reserved, committed: level.committed };
}

/** Which counters a movement takes from and gives to. */
export type StockMovement = 'reserve' | 'release' | 'commit';

const MOVEMENT_SQL: Record<StockMovement, string> = {
  reserve: 'available = s.available - l.quantity, reserved = s.reserved + l.quantity',
  release: 'available = s.available + l.quantity, reserved = s.reserved - l.quantity',
  commit: 'reserved = s.reserved - l.quantity, committed = s.committed + l.quantity',
};

/** One order's part of a group's write: its movement's lines, its new status, its event. */
export interface RecordedMovement {
  orderId: string;
  /** The lines whose counters move (none for a rejected reservation). */
  lines: ReservationLine[];
  /** Whether the lines are the reservation's own, to save with it (a new reservation). */
  saveLines: boolean;
  status: ReservationStatus;
  shortages?: Shortage[];
  event: OutboxRow;
}

/** Stock counters and reservations in catalog.stock / catalog.reservation*; every call joins the caller's transaction. */
@Injectable()
export class InventoryRepository {
  async findLevel(manager: EntityManager, productId: string, forUpdate = false): Promise<StockLevel | undefined> {
    const rows = (await manager.query(
      `SELECT product_id, available, reserved, committed FROM catalog.stock WHERE product_id = $1${forUpdate ? ' FOR UPDATE' : ''}`,
      [productId],
    )) as StockRow[];
    return rows[0] ? toStockLevel(rows[0]) : undefined;
  }

  /** Locks the stock rows of the given products in id order, so concurrent orders cannot deadlock. */
  async lockLevels(manager: EntityManager, productIds: string[]): Promise<Map<string, StockLevel>> {
    if (productIds.length === 0) return new Map();
    const rows = (await manager.query(
      `SELECT product_id, available, reserved, committed FROM catalog.stock WHERE product_id = ANY($1::uuid[]) ORDER BY product_id FOR UPDATE`,
      [[...new Set(productIds)]],
    )) as StockRow[];
    return new Map(rows.map((r) => [r.product_id, toStockLevel(r)]));
  }

  /**
   * Claims order ids with a first status, in id order (so two transactions claiming overlapping
   * sets cannot deadlock); returns the ids that were new.
   */
  async claimAll(manager: EntityManager, orderIds: string[], status: ReservationStatus | 'PENDING'): Promise<Set<string>> {
    const rows = (await manager.query(
      `INSERT INTO catalog.reservation (order_id, status) SELECT id, $2 FROM unnest($1::uuid[]) AS c(id) ORDER BY id ON CONFLICT (order_id) DO NOTHING RETURNING order_id`,
      [orderIds, status],
    )) as { order_id: string }[];
    return new Set(rows.map((r) => r.order_id));
  }

  /** Reservations (status, shortages) of several orders, by order id. */
  async findAll(manager: EntityManager, orderIds: string[]): Promise<Map<string, { reservation: Reservation; shortages?: Shortage[] }>> {
    if (orderIds.length === 0) return new Map();
    const rows = (await manager.query(`SELECT order_id, status, shortages FROM catalog.reservation WHERE order_id = ANY($1::uuid[])`, [orderIds])) as {
      order_id: string;
      status: ReservationStatus;
      shortages: Shortage[] | null;
    }[];
    return new Map(rows.map((r) => [r.order_id, { reservation: new Reservation(r.order_id, r.status), ...(r.shortages ? { shortages: r.shortages } : {}) }]));
  }

  /** Reservations of several orders with their lines, locked in order id order, in one round trip; an order without one is missing. */
  async findAllWithLines(manager: EntityManager, orderIds: string[]): Promise<Map<string, { reservation: Reservation; lines: ReservationLine[] }>> {
    const found = new Map<string, { reservation: Reservation; lines: ReservationLine[] }>();
    if (orderIds.length === 0) return found;
    const rows = (await manager.query(
      `SELECT r.order_id, r.status, l.product_id, l.quantity FROM catalog.reservation r
       LEFT JOIN LATERAL (SELECT product_id, quantity FROM catalog.reservation_line WHERE order_id = r.order_id) l ON true
       WHERE r.order_id = ANY($1::uuid[]) ORDER BY r.order_id, l.product_id FOR UPDATE OF r`,
      [orderIds],
    )) as { order_id: string; status: ReservationStatus; product_id: string | null; quantity: number | null }[];
    for (const r of rows) {
      let entry = found.get(r.order_id);
      if (!entry) found.set(r.order_id, (entry = { reservation: new Reservation(r.order_id, r.status), lines: [] }));
      if (r.product_id !== null) entry.lines.push({ productId: r.product_id, quantity: r.quantity! });
    }
    return found;
  }

  /**
   * The write half of a group of movements in one statement: moves the counters by the lines of
   * every order summed per product (their rows already locked by the caller), saves the lines of new
   * reservations, sets each reservation's status (and shortages) and writes each order's event.
   */
  async record(manager: EntityManager, movement: StockMovement, entries: RecordedMovement[]): Promise<void> {
    // Lines of several orders on one product are one row of the update: summed.
    const moved = mergeLines(entries.flatMap((e) => e.lines));
    const saved = entries.filter((e) => e.saveLines).flatMap((e) => e.lines.map((l) => ({ orderId: e.orderId, ...l })));
    await manager.query(
      `WITH moved AS (
         UPDATE catalog.stock AS s SET ${MOVEMENT_SQL[movement]}, updated_at = now()
         FROM unnest($1::uuid[], $2::int[]) AS l(product_id, quantity)
         WHERE s.product_id = l.product_id
       ), saved AS (
         INSERT INTO catalog.reservation_line (order_id, product_id, quantity) SELECT * FROM unnest($3::uuid[], $4::uuid[], $5::int[])
       ), status AS (
         UPDATE catalog.reservation AS r SET status = x.status, shortages = x.shortages::jsonb, updated_at = now()
         FROM unnest($6::uuid[], $7::text[], $8::text[]) AS x(order_id, status, shortages)
         WHERE r.order_id = x.order_id
       )
       INSERT INTO catalog.outbox (id, type, envelope) SELECT * FROM unnest($9::uuid[], $10::text[], $11::text[])`,
      [
        moved.map((l) => l.productId),
        moved.map((l) => l.quantity),
        saved.map((l) => l.orderId),
        saved.map((l) => l.productId),
        saved.map((l) => l.quantity),
        entries.map((e) => e.orderId),
        entries.map((e) => e.status),
        entries.map((e) => (e.shortages ? JSON.stringify(e.shortages) : null)),
        entries.map((e) => e.event.id),
        entries.map((e) => e.event.type),
        entries.map((e) => e.event.envelope),
      ],
    );
  }

  /** Records an adjustment once per message id; false when this message was already applied. */
  async recordAdjustment(manager: EntityManager, adjustment: { productId: string; delta: number; reason: string; messageId: string }): Promise<boolean> {
    const rows = (await manager.query(
      `INSERT INTO catalog.stock_adjustment (product_id, delta, reason, message_id) VALUES ($1, $2, $3, $4) ON CONFLICT (message_id) DO NOTHING RETURNING id`,
      [adjustment.productId, adjustment.delta, adjustment.reason, adjustment.messageId],
    )) as unknown[];
    return rows.length === 1;
  }

  async saveAvailable(manager: EntityManager, level: StockLevel): Promise<void> {
    await manager.query(`UPDATE catalog.stock SET available = $2, updated_at = now() WHERE product_id = $1`, [level.productId, level.available]);
  }
}
