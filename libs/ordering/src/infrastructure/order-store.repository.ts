import { Inject, Injectable } from '@nestjs/common';
import type { OrderStatus, OrderView } from '@commerce/contracts';
import { GroupCommit, OutboxRow, UnitOfWork } from '@commerce/messaging';
import { InjectDataSource } from '@commerce/platform';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { OrderEvent, RecordedEvent } from '../domain/order-events';
import { Order } from '../domain/order.entity';
import { ConcurrentAppendError } from '../domain/ordering.errors';
import { ORDERING_CONFIG, OrderingConfig } from '../ordering.config';
import { OrderMetrics } from './order.metrics';
import { OrderTimerRepository } from './order-timer.repository';

interface EventRow {
  version: number;
  type: OrderEvent['type'];
  data: Record<string, unknown>;
  recorded_at: Date;
}

interface ViewRow {
  id: string;
  customer_id: string;
  email: string;
  status: OrderStatus;
  lines: OrderView['lines'];
  total_amount: string;
  currency: string;
  shipping_address: OrderView['shippingAddress'];
  reason: string | null;
  version: number;
  created_at: Date;
  updated_at: Date;
}

/** Orders written by one group-commit statement at most. */
const GROUP = 64;

/**
 * Events staged on an order (already applied to `order`, which is a working copy) and the outbox
 * rows that go with them, written together by `OrderStore.commit`.
 */
export interface OrderChange {
  order: Order;
  /** The version the events follow: the change is refused if the stream moved past it. */
  base: number;
  events: RecordedEvent[];
  outbox: OutboxRow[];
  /** What each event did to the step in progress, observed once the change is written. */
  observed: [Order['current'], RecordedEvent, Order['current']][];
}

/** An order to place under an idempotency key. */
interface Placement {
  change: OrderChange;
  key: { key: string; hash: string };
}

/** A change waiting for the next group-commit statement. */
interface Queued {
  change: OrderChange;
  done: (error?: unknown) => void;
}

/** The order view's columns after `id`, as `VIEW_COLUMNS` lists them, for an insert. */
function viewFields(o: Order): unknown[] {
  return [
    o.customerId,
    o.email,
    o.status,
    JSON.stringify(o.lines),
    o.total.amount,
    o.total.currency,
    JSON.stringify(o.shippingAddress),
    o.reason ?? null,
    o.version,
    o.createdAt,
    o.updatedAt,
  ];
}

const VIEW_COLUMNS = 'id, customer_id, email, status, lines, total_amount, currency, shipping_address, reason, version, created_at, updated_at';

function toView(row: ViewRow): OrderView {
  return {
    id: row.id,
    customerId: row.customer_id,
    email: row.email,
    status: row.status,
    lines: row.lines,
    total: { amount: Number(row.total_amount), currency: row.currency.trim() },
    shippingAddress: row.shipping_address,
    ...(row.reason ? { reason: row.reason } : {}),
    version: row.version,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

const isUniqueViolation = (error: unknown) => error instanceof QueryFailedError && (error.driverError as { code?: string }).code === '23505';

/** Events as the columns of an unnest: version, type, data, recorded_at. */
const eventColumns = (events: RecordedEvent[]) => [
  events.map((e) => e.version),
  events.map((e) => e.type),
  events.map((e) => JSON.stringify(e.data)),
  events.map((e) => e.recordedAt),
];

/** Outbox rows as the columns of an unnest: id, type, envelope. */
const outboxColumns = (rows: OutboxRow[]) => [rows.map((m) => m.id), rows.map((m) => m.type), rows.map((m) => m.envelope)];

/**
 * The order event store: an append-only stream per order with optimistic concurrency on the
 * version (the primary key), and the order_view projection updated in the same transaction.
 */
@Injectable()
export class OrderStore {
  private readonly queue: Queued[] = [];
  private flushing = false;
  /** Placements of concurrent orders, written by one statement (group commit). */
  private readonly placements = new GroupCommit<Placement, boolean>((placements) => this.placeAll(placements));

  constructor(
    @InjectDataSource('ordering') private readonly dataSource: DataSource,
    private readonly metrics: OrderMetrics,
    private readonly timers: OrderTimerRepository,
    private readonly uow: UnitOfWork,
    @Inject(ORDERING_CONFIG) private readonly config: OrderingConfig,
  ) {
    metrics.observeStatuses(() => this.countAll());
  }

  /** A change of `order` to stage events on: a working copy, so `order` stays as recorded if the change is refused. */
  change(order: Order): OrderChange {
    return { order: order.clone(), base: order.version, events: [], outbox: [], observed: [] };
  }

  /** Gives events their place in the order's stream (version, time) and applies them to the change's order. */
  stage(change: OrderChange, events: OrderEvent[]): void {
    for (const event of events) {
      const recorded = { ...event, version: change.order.version + 1, recordedAt: new Date().toISOString() } as RecordedEvent;
      const before = change.order.current;
      change.order.apply(recorded);
      change.events.push(recorded);
      change.observed.push([before, recorded, change.order.current]);
    }
  }

  /**
   * Writes a change (its events, the projection, the timer and the outbox rows) atomically. Changes
   * of concurrent orders are committed together: the first goes out at once, those that arrive
   * while a statement is in flight go in the next one (group commit). Each order's version is
   * compared and set on its projection row in the same statement; a stream that moved on makes
   * this throw ConcurrentAppendError and writes nothing of that change.
   */
  commit(change: OrderChange): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ change, done: (error) => (error ? reject(error) : resolve()) });
      if (!this.flushing) void this.flush();
    });
  }

  /**
   * Places an order: claims its idempotency key and, only if the key was new, writes its first
   * events, its projection, its timer and its outbox rows, all in one statement. Placements of
   * concurrent orders share that statement (group commit); a group whose statement fails is
   * written again placement by placement. Returns whether it was created (false: the key was
   * already taken).
   */
  async place(change: OrderChange, key: { key: string; hash: string }): Promise<boolean> {
    const created = await this.placements.submit({ change, key });
    if (created) this.written([change]);
    return created;
  }

  /** One statement for a group of placements: each key is claimed in key order, and only the orders whose key was new are written. */
  private async placeAll(placements: Placement[]): Promise<boolean[]> {
    const now = new Date();
    const orders = placements.map((p) => p.change.order);
    const wakes = orders.map((o) => o.wakeAt(now, this.config)!);
    const events = placements.flatMap((p) => p.change.events.map((e) => ({ id: p.change.order.id, e })));
    const outbox = placements.flatMap((p) => p.change.outbox.map((m) => ({ id: p.change.order.id, m })));
    const views = orders.map((o) => [o.id, ...viewFields(o)]);
    const viewColumn = (i: number) => views.map((v) => v[i]);
    const rows = (await this.dataSource.query(
      `WITH claim AS (
         INSERT INTO ordering.idempotency_key (key, request_hash, order_id)
         SELECT * FROM unnest($1::text[], $2::text[], $3::uuid[]) AS k(key, request_hash, order_id) ORDER BY key
         ON CONFLICT (key) DO NOTHING RETURNING order_id
       ), ev AS (
         INSERT INTO ordering.order_event (order_id, version, type, data, recorded_at)
         SELECT e.order_id, e.version, e.type, e.data::jsonb, e.recorded_at
         FROM unnest($4::uuid[], $5::int[], $6::text[], $7::text[], $8::timestamptz[]) AS e(order_id, version, type, data, recorded_at)
         WHERE e.order_id IN (SELECT order_id FROM claim)
       ), projection AS (
         INSERT INTO ordering.order_view (${VIEW_COLUMNS})
         SELECT v.id, v.customer_id, v.email, v.status, v.lines::jsonb, v.total_amount, v.currency, v.shipping_address::jsonb, v.reason, v.version, v.created_at, v.updated_at
         FROM unnest($9::uuid[], $10::text[], $11::text[], $12::text[], $13::text[], $14::bigint[], $15::text[], $16::text[], $17::text[], $18::int[], $19::timestamptz[], $20::timestamptz[])
           AS v(${VIEW_COLUMNS})
         WHERE v.id IN (SELECT order_id FROM claim)
       ), due AS (
         INSERT INTO ordering.order_timer (order_id, due_at, reason)
         SELECT t.order_id, t.due_at, t.reason FROM unnest($3::uuid[], $21::timestamptz[], $22::text[]) AS t(order_id, due_at, reason)
         WHERE t.order_id IN (SELECT order_id FROM claim)
       ), outbox AS (
         INSERT INTO ordering.outbox (id, type, envelope)
         SELECT m.id, m.type, m.envelope FROM unnest($23::uuid[], $24::text[], $25::text[], $26::uuid[]) AS m(id, type, envelope, order_id)
         WHERE m.order_id IN (SELECT order_id FROM claim)
       )
       SELECT order_id FROM claim`,
      [
        placements.map((p) => p.key.key),
        placements.map((p) => p.key.hash),
        orders.map((o) => o.id),
        events.map((x) => x.id),
        ...eventColumns(events.map((x) => x.e)),
        ...VIEW_COLUMNS.split(', ').map((_, i) => viewColumn(i)),
        wakes.map((w) => w.at),
        wakes.map((w) => w.reason),
        ...outboxColumns(outbox.map((x) => x.m)),
        outbox.map((x) => x.id),
      ],
    )) as { order_id: string }[];
    const created = new Set(rows.map((r) => r.order_id));
    return orders.map((o) => created.has(o.id));
  }

  /** Sets the order's durable timer from its state, in the caller's transaction (after its appends). */
  async schedule(manager: EntityManager, order: Order): Promise<void> {
    await this.timers.set(manager, order.id, order.wakeAt(new Date(), this.config));
  }

  async load(orderId: string, manager: EntityManager = this.dataSource.manager): Promise<{ order: Order; events: RecordedEvent[] } | undefined> {
    const rows = (await manager.query(`SELECT version, type, data, recorded_at FROM ordering.order_event WHERE order_id = $1 ORDER BY version`, [
      orderId,
    ])) as EventRow[];
    if (rows.length === 0) return undefined;
    const events = rows.map((r) => ({ type: r.type, data: r.data, version: r.version, recordedAt: new Date(r.recorded_at).toISOString() }) as RecordedEvent);
    return { order: Order.fromHistory(orderId, events), events };
  }

  /** Appends events after the order's current version; a concurrent append makes this throw ConcurrentAppendError. */
  async append(manager: EntityManager, order: Order, events: OrderEvent[]): Promise<void> {
    for (const event of events) {
      const version = order.version + 1;
      try {
        const [row] = (await manager.query(`INSERT INTO ordering.order_event (order_id, version, type, data) VALUES ($1, $2, $3, $4) RETURNING recorded_at`, [
          order.id,
          version,
          event.type,
          JSON.stringify(event.data),
        ])) as { recorded_at: Date }[];
        const recorded = { ...event, version, recordedAt: new Date(row.recorded_at).toISOString() } as RecordedEvent;
        const before = order.current;
        order.apply(recorded);
        this.metrics.applied(before, recorded, order.current);
      } catch (error) {
        if (isUniqueViolation(error)) throw new ConcurrentAppendError(order.id, version);
        throw error;
      }
    }
    await this.project(manager, order);
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        // One change per order in a statement: a second one for the same order waits for the next.
        const ids = new Set<string>();
        const batch: Queued[] = [];
        for (let i = 0; i < this.queue.length && batch.length < GROUP;) {
          const id = this.queue[i].change.order.id;
          if (ids.has(id)) {
            i++;
          } else {
            batch.push(...this.queue.splice(i, 1));
            ids.add(id);
          }
        }
        await this.writeGroup(batch);
      }
    } finally {
      this.flushing = false;
    }
  }

  /** Writes a group; if the statement fails for another reason than a moved stream, each change is tried alone, so one cannot fail the others. */
  private async writeGroup(batch: Queued[]): Promise<void> {
    try {
      const written = await this.write(batch.map((q) => q.change));
      this.written(batch.filter((q) => written.has(q.change.order.id)).map((q) => q.change));
      for (const q of batch) q.done(written.has(q.change.order.id) ? undefined : new ConcurrentAppendError(q.change.order.id, q.change.base + 1));
    } catch (error) {
      if (batch.length === 1)
        return batch[0].done(isUniqueViolation(error) ? new ConcurrentAppendError(batch[0].change.order.id, batch[0].change.base + 1) : error);
      for (const q of batch) await this.writeGroup([q]);
    }
  }

  /**
   * One statement for changes of several orders: a projection row whose version is still the
   * change's base takes the new version (compare-and-set, the stream's lock), and only the orders
   * that won it get their events, timer and outbox rows. Returns the ids of those orders.
   */
  private async write(changes: OrderChange[]): Promise<Set<string>> {
    const now = new Date();
    const wakes = changes.map((c) => c.order.wakeAt(now, this.config));
    const events = changes.flatMap((c) => c.events.map((e) => ({ id: c.order.id, e })));
    const outbox = changes.flatMap((c) => c.outbox.map((m) => ({ id: c.order.id, m })));
    const rows = (await this.dataSource.query(
      `WITH o AS (
         SELECT * FROM unnest($1::uuid[], $2::int[], $3::int[], $4::text[], $5::text[], $6::timestamptz[], $7::timestamptz[], $8::text[])
           AS o(id, base, version, status, reason, updated_at, due_at, due_reason)
       ), cas AS (
         UPDATE ordering.order_view v SET status = o.status, reason = o.reason, version = o.version, updated_at = o.updated_at
         FROM o WHERE v.id = o.id AND v.version = o.base
         RETURNING v.id
       ), ev AS (
         INSERT INTO ordering.order_event (order_id, version, type, data, recorded_at)
         SELECT e.order_id, e.version, e.type, e.data::jsonb, e.recorded_at
         FROM unnest($9::uuid[], $10::int[], $11::text[], $12::text[], $13::timestamptz[]) AS e(order_id, version, type, data, recorded_at)
         WHERE e.order_id IN (SELECT id FROM cas)
       ), due AS (
         INSERT INTO ordering.order_timer (order_id, due_at, reason)
         SELECT o.id, o.due_at, o.due_reason FROM o WHERE o.due_at IS NOT NULL AND o.id IN (SELECT id FROM cas)
         ON CONFLICT (order_id) DO UPDATE SET due_at = EXCLUDED.due_at, reason = EXCLUDED.reason
       ), done AS (
         DELETE FROM ordering.order_timer t USING o WHERE t.order_id = o.id AND o.due_at IS NULL AND o.id IN (SELECT id FROM cas)
       ), outbox AS (
         INSERT INTO ordering.outbox (id, type, envelope)
         SELECT m.id, m.type, m.envelope FROM unnest($14::uuid[], $15::text[], $16::text[], $17::uuid[]) AS m(id, type, envelope, order_id)
         WHERE m.order_id IN (SELECT id FROM cas)
       )
       SELECT id FROM cas`,
      [
        changes.map((c) => c.order.id),
        changes.map((c) => c.base),
        changes.map((c) => c.order.version),
        changes.map((c) => c.order.status),
        changes.map((c) => c.order.reason ?? null),
        changes.map((c) => c.order.updatedAt),
        wakes.map((w) => w?.at ?? null),
        wakes.map((w) => w?.reason ?? null),
        events.map((x) => x.id),
        ...eventColumns(events.map((x) => x.e)),
        ...outboxColumns(outbox.map((x) => x.m)),
        outbox.map((x) => x.id),
      ],
    )) as { id: string }[];
    return new Set(rows.map((r) => r.id));
  }

  /** After a change was written: its step durations are observed and its outbox rows shipped. */
  private written(changes: OrderChange[]): void {
    for (const change of changes) for (const [before, event, after] of change.observed) this.metrics.applied(before, event, after);
    // The rows of exactly these changes were inserted (the statement inserts those of the changes it wrote).
    const rows = changes.flatMap((c) => c.outbox);
    if (rows.length > 0) this.uow.written(this.dataSource, rows);
  }

  async view(orderId: string): Promise<OrderView | undefined> {
    const [row] = (await this.dataSource.query(`SELECT ${VIEW_COLUMNS} FROM ordering.order_view WHERE id = $1`, [orderId])) as ViewRow[];
    return row ? toView(row) : undefined;
  }

  async list(filter: { customerId?: string; status?: OrderStatus; limit: number; offset: number }): Promise<{ items: OrderView[]; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.customerId) where.push(`customer_id = $${params.push(filter.customerId)}`);
    if (filter.status) where.push(`status = $${params.push(filter.status)}`);
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const [rows, count] = await Promise.all([
      this.dataSource.query(
        `SELECT ${VIEW_COLUMNS} FROM ordering.order_view ${clause} ORDER BY created_at DESC, id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
        [...params, filter.limit, filter.offset],
      ) as Promise<ViewRow[]>,
      this.dataSource.query(`SELECT count(*)::int AS total FROM ordering.order_view ${clause}`, params) as Promise<{ total: number }[]>,
    ]);
    return { items: rows.map(toView), total: count[0].total };
  }

  async countByStatus(status: OrderStatus): Promise<number> {
    const [row] = (await this.dataSource.query(`SELECT count(*)::int AS n FROM ordering.order_view WHERE status = $1`, [status])) as { n: number }[];
    return row.n;
  }

  /** How many orders are in each status. */
  async countAll(): Promise<{ status: string; n: number }[]> {
    return (await this.dataSource.query(`SELECT status, count(*)::int AS n FROM ordering.order_view GROUP BY status`)) as { status: string; n: number }[];
  }

  /** Rebuilds every order's projection from its events (after a projection change or loss). */
  async rebuildProjections(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query(`DELETE FROM ordering.order_view`);
      const ids = (await manager.query(`SELECT DISTINCT order_id FROM ordering.order_event`)) as { order_id: string }[];
      for (const { order_id } of ids) await this.project(manager, (await this.load(order_id, manager))!.order);
      return ids.length;
    });
  }

  private async project(manager: EntityManager, o: Order): Promise<void> {
    await manager.query(
      `INSERT INTO ordering.order_view (${VIEW_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, reason = EXCLUDED.reason, version = EXCLUDED.version, updated_at = EXCLUDED.updated_at`,
      [o.id, ...viewFields(o)],
    );
  }
}
