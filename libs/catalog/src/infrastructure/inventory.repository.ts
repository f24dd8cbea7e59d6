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

  /**
   * `claimAll`, then `lockLevels` for the products of the orders that were new, in one statement:
   * `claims` gives each order's product ids. The claims are read first (the first branch of the
   * UNION ALL, which Postgres runs in order), so the reservation rows are taken before any stock
   * row, and the stock rows are then locked in product id order, as two statements would.
   */
  async claimAndLock(
    manager: EntityManager,
    claims: { orderId: string; productIds: string[] }[],
    status: ReservationStatus | 'PENDING',
  ): Promise<{ claimed: Set<string>; levels: Map<string, StockLevel> }> {
    const pairs = claims.flatMap((c) => [...new Set(c.productIds)].map((productId) => [c.orderId, productId] as const));
    const rows = (await manager.query(
      `WITH claimed AS (
         INSERT INTO catalog.reservation (order_id, status) SELECT id, $2 FROM unnest($1::uuid[]) AS c(id) ORDER BY id
         ON CONFLICT (order_id) DO NOTHING RETURNING order_id
       ), locked AS MATERIALIZED (
         SELECT product_id, available, reserved, committed FROM catalog.stock
         WHERE product_id = ANY(ARRAY(SELECT DISTINCT x.product_id FROM unnest($3::uuid[], $4::uuid[]) AS x(order_id, product_id) JOIN claimed USING (order_id)))
         ORDER BY product_id FOR UPDATE
       )
       SELECT order_id, NULL::uuid AS product_id, NULL::bigint AS available, NULL::bigint AS reserved, NULL::bigint AS committed FROM claimed
       UNION ALL
       SELECT NULL, product_id, available, reserved, committed FROM locked`,
      [claims.map((c) => c.orderId), status, pairs.map((p) => p[0]), pairs.map((p) => p[1])],
    )) as (StockRow & { order_id: string | null })[];
    const claimed = new Set<string>();
    const levels = new Map<string, StockLevel>();
    for (const r of rows) {
      if (r.order_id !== null) claimed.add(r.order_id);
      else levels.set(r.product_id, toStockLevel(r));
    }
    return { claimed, levels };
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

  /**
   * Reservations of several orders with their lines (an order without one is missing), locked in
   * order id order, then `lockLevels` for the lines of the reservations still RESERVED (the
   * only status whose commit or release moves stock), in one statement. The locked reservations are
   * read first (the first branch of the UNION ALL, run in order), so every reservation row is taken
   * before any stock row, and the stock rows are locked in product id order, as two statements would.
   */
  async findAllWithLinesAndLock(
    manager: EntityManager,
    orderIds: string[],
  ): Promise<{ found: Map<string, { reservation: Reservation; lines: ReservationLine[] }>; levels: Map<string, StockLevel> }> {
    const found = new Map<string, { reservation: Reservation; lines: ReservationLine[] }>();
    const levels = new Map<string, StockLevel>();
    if (orderIds.length === 0) return { found, levels };
    const rows = (await manager.query(
      `WITH r AS MATERIALIZED (
         SELECT order_id, status FROM catalog.reservation WHERE order_id = ANY($1::uuid[]) ORDER BY order_id FOR UPDATE
       ), l AS MATERIALIZED (
         SELECT l.order_id, l.product_id, l.quantity, r.status FROM r JOIN catalog.reservation_line l USING (order_id)
       ), locked AS MATERIALIZED (
         SELECT product_id, available, reserved, committed FROM catalog.stock
         WHERE product_id = ANY(ARRAY(SELECT DISTINCT product_id FROM l WHERE status = 'RESERVED'))
         ORDER BY product_id FOR UPDATE
       )
       SELECT 0 AS part, order_id, status, NULL::uuid AS product_id, NULL::int AS quantity, NULL::bigint AS available, NULL::bigint AS reserved, NULL::bigint AS committed FROM r
       UNION ALL
       SELECT 1, order_id, NULL, product_id, quantity, NULL, NULL, NULL FROM l
       UNION ALL
       SELECT 2, NULL, NULL, product_id, NULL, available, reserved, committed FROM locked`,
      [orderIds],
    )) as (StockRow & { part: number; order_id: string; status: ReservationStatus; quantity: number })[];
    const lines = new Map<string, ReservationLine[]>();
    for (const r of rows) {
      if (r.part === 0) found.set(r.order_id, { reservation: new Reservation(r.order_id, r.status), lines: [] });
      else if (r.part === 1) lines.set(r.order_id, [...(lines.get(r.order_id) ?? []), { productId: r.product_id, quantity: r.quantity }]);
      else levels.set(r.product_id, toStockLevel(r));
    }
    for (const [orderId, entry] of found)
      entry.lines = (lines.get(orderId) ?? []).sort((a, b) => (a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0));
    return { found, levels };
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
