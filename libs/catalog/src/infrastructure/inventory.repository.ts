import { Injectable } from '@nestjs/common';
import type { ReservationStatus, StockLevelView } from '@commerce/contracts';
import type { OutboxRow } from '@commerce/messaging';
import { EntityManager } from 'typeorm';
import { Reservation, ReservationLine, Shortage } from '../domain/reservation.entity';
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
    const rows = (await manager.query(
      `SELECT product_id, available, reserved, committed FROM catalog.stock WHERE product_id = ANY($1::uuid[]) ORDER BY product_id FOR UPDATE`,
      [productIds],
    )) as StockRow[];
    return new Map(rows.map((r) => [r.product_id, toStockLevel(r)]));
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

  /** Applies one movement to every line in a single statement. */
  async move(manager: EntityManager, movement: StockMovement, lines: ReservationLine[]): Promise<void> {
    await manager.query(
      `UPDATE catalog.stock AS s SET ${MOVEMENT_SQL[movement]}, updated_at = now()
       FROM unnest($1::uuid[], $2::int[]) AS l(product_id, quantity)
       WHERE s.product_id = l.product_id`,
      [lines.map((l) => l.productId), lines.map((l) => l.quantity)],
    );
  }

  /**
   * The write half of a movement in one statement: moves the lines' counters (their rows already
   * locked by the caller), saves the lines when `saveLines`, sets the reservation's status and writes
   * the event's outbox row.
   */
  async moveAndRecord(
    manager: EntityManager,
    movement: StockMovement,
    orderId: string,
    lines: ReservationLine[],
    status: ReservationStatus,
    event: OutboxRow,
    saveLines = false,
  ): Promise<void> {
    await manager.query(
      `WITH moved AS (
         UPDATE catalog.stock AS s SET ${MOVEMENT_SQL[movement]}, updated_at = now()
         FROM unnest($2::uuid[], $3::int[]) AS l(product_id, quantity)
         WHERE s.product_id = l.product_id
       ), saved AS (
         INSERT INTO catalog.reservation_line (order_id, product_id, quantity) SELECT $1, * FROM unnest($2::uuid[], $3::int[]) WHERE $4::boolean
       ), status AS (
         UPDATE catalog.reservation SET status = $5, shortages = NULL, updated_at = now() WHERE order_id = $1
       )
       INSERT INTO catalog.outbox (id, type, envelope) VALUES ($6, $7, $8)`,
      [orderId, lines.map((l) => l.productId), lines.map((l) => l.quantity), saveLines, status, event.id, event.type, event.envelope],
    );
  }

  /** Sets a reservation's status and writes the event's outbox row, in one statement. */
  async setStatusAndRecord(
    manager: EntityManager,
    orderId: string,
    status: ReservationStatus,
    shortages: Shortage[] | undefined,
    event: OutboxRow,
  ): Promise<void> {
    await manager.query(
      `WITH status AS (
         UPDATE catalog.reservation SET status = $2, shortages = $3, updated_at = now() WHERE order_id = $1
       )
       INSERT INTO catalog.outbox (id, type, envelope) VALUES ($4, $5, $6)`,
      [orderId, status, shortages ? JSON.stringify(shortages) : null, event.id, event.type, event.envelope],
    );
  }

  /** A reservation locked, with its lines, in one round trip; undefined when there is none. */
  async findWithLines(manager: EntityManager, orderId: string): Promise<{ reservation: Reservation; lines: ReservationLine[] } | undefined> {
    const rows = (await manager.query(
      `SELECT r.status, l.product_id, l.quantity FROM catalog.reservation r
       LEFT JOIN LATERAL (SELECT product_id, quantity FROM catalog.reservation_line WHERE order_id = r.order_id) l ON true
       WHERE r.order_id = $1 ORDER BY l.product_id FOR UPDATE OF r`,
      [orderId],
    )) as { status: ReservationStatus; product_id: string | null; quantity: number | null }[];
    if (!rows[0]) return undefined;
    return {
      reservation: new Reservation(orderId, rows[0].status),
      lines: rows.filter((r) => r.product_id !== null).map((r) => ({ productId: r.product_id!, quantity: r.quantity! })),
    };
  }

  /** Claims the order id with a first status; false when a reservation for it already exists. */
  async claim(manager: EntityManager, orderId: string, status: ReservationStatus | 'PENDING'): Promise<boolean> {
    const rows = (await manager.query(
      `INSERT INTO catalog.reservation (order_id, status) VALUES ($1, $2) ON CONFLICT (order_id) DO NOTHING RETURNING order_id`,
      [orderId, status],
    )) as unknown[];
    return rows.length === 1;
  }

  async find(manager: EntityManager, orderId: string, forUpdate = false): Promise<{ reservation: Reservation; shortages?: Shortage[] } | undefined> {
    const rows = (await manager.query(`SELECT status, shortages FROM catalog.reservation WHERE order_id = $1${forUpdate ? ' FOR UPDATE' : ''}`, [orderId])) as {
      status: ReservationStatus;
      shortages: Shortage[] | null;
    }[];
    if (!rows[0]) return undefined;
    return { reservation: new Reservation(orderId, rows[0].status), ...(rows[0].shortages ? { shortages: rows[0].shortages } : {}) };
  }

  async lines(manager: EntityManager, orderId: string): Promise<ReservationLine[]> {
    const rows = (await manager.query(`SELECT product_id, quantity FROM catalog.reservation_line WHERE order_id = $1 ORDER BY product_id`, [orderId])) as {
      product_id: string;
      quantity: number;
    }[];
    return rows.map((r) => ({ productId: r.product_id, quantity: r.quantity }));
  }

  async saveLines(manager: EntityManager, orderId: string, lines: ReservationLine[]): Promise<void> {
    await manager.query(`INSERT INTO catalog.reservation_line (order_id, product_id, quantity) SELECT $1, * FROM unnest($2::uuid[], $3::int[])`, [
      orderId,
      lines.map((l) => l.productId),
      lines.map((l) => l.quantity),
    ]);
  }

  async setStatus(manager: EntityManager, orderId: string, status: ReservationStatus, shortages?: Shortage[]): Promise<void> {
    await manager.query(`UPDATE catalog.reservation SET status = $2, shortages = $3, updated_at = now() WHERE order_id = $1`, [
      orderId,
      status,
      shortages ? JSON.stringify(shortages) : null,
    ]);
  }
}
