import { Inject, Injectable } from '@nestjs/common';
import type { OrderStatus, OrderView } from '@commerce/contracts';
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

/**
 * The order event store: an append-only stream per order with optimistic concurrency on the
 * version (the primary key), and the order_view projection updated in the same transaction.
 */
@Injectable()
export class OrderStore {
  constructor(
    @InjectDataSource('ordering') private readonly dataSource: DataSource,
    private readonly metrics: OrderMetrics,
    private readonly timers: OrderTimerRepository,
    @Inject(ORDERING_CONFIG) private readonly config: OrderingConfig,
  ) {
    metrics.observeStatuses(() => this.countAll());
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
        if (error instanceof QueryFailedError && (error.driverError as { code?: string }).code === '23505') throw new ConcurrentAppendError(order.id, version);
        throw error;
      }
    }
    await this.project(manager, order);
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
      [
        o.id,
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
      ],
    );
  }
}
