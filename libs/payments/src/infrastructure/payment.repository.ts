import { Injectable } from '@nestjs/common';
import type { PaymentStatus } from '@commerce/contracts';
import type { OutboxRow } from '@commerce/messaging';
import { EntityManager } from 'typeorm';
import { Payment } from '../domain/payment.entity';

/** A payment row as `pg` returns it. */
export interface PaymentRow {
  status: PaymentStatus;
  amount: string | null;
  currency: string | null;
  token: string | null;
  reason: string | null;
  email: string | null;
}

const COLUMNS = 'status, amount, currency, token, reason, email';

/** payments.payment with parameterised SQL; every call joins the caller's transaction. */
@Injectable()
export class PaymentRepository {
  /** Records the first status for an order; false when a payment row already exists. */
  async claim(
    manager: EntityManager,
    orderId: string,
    status: PaymentStatus,
    details: { amount?: { amount: number; currency: string }; token?: string; email?: string } = {},
  ): Promise<boolean> {
    const rows = (await manager.query(
      `INSERT INTO payments.payment (order_id, status, amount, currency, token, email) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (order_id) DO NOTHING RETURNING order_id`,
      [orderId, status, details.amount?.amount ?? null, details.amount?.currency ?? null, details.token ?? null, details.email ?? null],
    )) as unknown[];
    return rows.length === 1;
  }

  /** Records the first status for an order unless a payment row exists, and returns the row either way, in one statement. */
  async claimOrFind(
    manager: EntityManager,
    orderId: string,
    status: PaymentStatus,
    details: { amount?: { amount: number; currency: string }; token?: string; email?: string } = {},
  ): Promise<{ payment: Payment; row: PaymentRow }> {
    const [row] = (await manager.query(
      `WITH claim AS (
         INSERT INTO payments.payment (order_id, status, amount, currency, token, email) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (order_id) DO NOTHING RETURNING ${COLUMNS}
       )
       SELECT ${COLUMNS} FROM claim UNION ALL SELECT ${COLUMNS} FROM payments.payment WHERE order_id = $1 AND NOT EXISTS (SELECT 1 FROM claim)`,
      [orderId, status, details.amount?.amount ?? null, details.amount?.currency ?? null, details.token ?? null, details.email ?? null],
    )) as PaymentRow[];
    // A row another transaction committed while this statement waited is not in its snapshot: read it now.
    return row ? { payment: new Payment(orderId, row.status), row } : this.find(manager, orderId);
  }

  async find(manager: EntityManager, orderId: string, forUpdate = false): Promise<{ payment: Payment; row: PaymentRow }> {
    const [row] = (await manager.query(`SELECT ${COLUMNS} FROM payments.payment WHERE order_id = $1${forUpdate ? ' FOR UPDATE' : ''}`, [
      orderId,
    ])) as PaymentRow[];
    return { payment: new Payment(orderId, row.status), row };
  }

  /**
   * Settles a PENDING payment and writes its event's outbox row, in one statement (one round trip,
   * one transaction); undefined, and nothing written, when the payment is no longer PENDING.
   */
  async settlePending(
    manager: EntityManager,
    orderId: string,
    status: PaymentStatus,
    reason: string | undefined,
    event: OutboxRow,
  ): Promise<PaymentRow | undefined> {
    const [row] = (await manager.query(
      `WITH settled AS (
         UPDATE payments.payment SET status = $2, reason = COALESCE($3, reason), updated_at = now() WHERE order_id = $1 AND status = 'PENDING' RETURNING ${COLUMNS}
       ), event AS (
         INSERT INTO payments.outbox (id, type, envelope) SELECT $4, $5, $6 FROM settled
       )
       SELECT ${COLUMNS} FROM settled`,
      [orderId, status, reason ?? null, event.id, event.type, event.envelope],
    )) as PaymentRow[];
    return row;
  }

  /** Sets the status and returns the row as it is now. */
  async setStatus(manager: EntityManager, orderId: string, status: PaymentStatus, reason?: string): Promise<PaymentRow> {
    // TypeORM answers an UPDATE … RETURNING with [rows, affected].
    const [[row]] = (await manager.query(
      `UPDATE payments.payment SET status = $2, reason = COALESCE($3, reason), refunded_amount = CASE WHEN $2 = 'REFUNDED' THEN amount ELSE refunded_amount END, updated_at = now() WHERE order_id = $1 RETURNING ${COLUMNS}`,
      [orderId, status, reason ?? null],
    )) as [PaymentRow[], number];
    return row;
  }
}
