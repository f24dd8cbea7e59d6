import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@commerce/platform';
import { DataSource, EntityManager } from 'typeorm';
import type { Wake } from '../domain/order.entity';

/** ordering.order_timer: when the flow must look at each order that is not final again. */
@Injectable()
export class OrderTimerRepository {
  constructor(@InjectDataSource('ordering') private readonly dataSource: DataSource) {}

  /** Sets the order's timer in the caller's transaction, or removes it (a final order has none). */
  async set(manager: EntityManager, orderId: string, wake: Wake | undefined): Promise<void> {
    if (!wake) {
      await manager.query(`DELETE FROM ordering.order_timer WHERE order_id = $1`, [orderId]);
      return;
    }
    await manager.query(
      `INSERT INTO ordering.order_timer (order_id, due_at, reason) VALUES ($1, $2, $3)
       ON CONFLICT (order_id) DO UPDATE SET due_at = EXCLUDED.due_at, reason = EXCLUDED.reason`,
      [orderId, wake.at, wake.reason],
    );
  }

  /**
   * Claims up to `limit` due timers and moves each `leaseMs` ahead in the same statement: rows
   * another instance is claiming are skipped, and a claim whose instance dies comes due again.
   */
  async claimDue(limit: number, leaseMs: number): Promise<{ orderId: string; reason: string }[]> {
    // TypeORM answers an UPDATE … RETURNING with [rows, affected].
    const [rows] = (await this.dataSource.query(
      `UPDATE ordering.order_timer t SET due_at = clock_timestamp() + make_interval(secs => $2)
       WHERE t.order_id IN (
         SELECT order_id FROM ordering.order_timer WHERE due_at <= clock_timestamp() ORDER BY due_at LIMIT $1 FOR UPDATE SKIP LOCKED
       )
       RETURNING t.order_id, t.reason`,
      [limit, leaseMs / 1000],
    )) as [{ order_id: string; reason: string }[], number];
    return rows.map((r) => ({ orderId: r.order_id, reason: r.reason }));
  }

  /** The order's timer, if it has one. */
  async get(orderId: string): Promise<{ dueAt: Date; reason: string } | undefined> {
    const [row] = (await this.dataSource.query(`SELECT due_at, reason FROM ordering.order_timer WHERE order_id = $1`, [orderId])) as {
      due_at: Date;
      reason: string;
    }[];
    return row && { dueAt: new Date(row.due_at), reason: row.reason };
  }
}
