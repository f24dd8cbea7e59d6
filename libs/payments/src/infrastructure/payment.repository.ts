import { Injectable } from '@nestjs/common';
import type { PaymentStatus } from '@commerce/contracts';
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

  async find(manager: EntityManager, orderId: string, forUpdate = false): Promise<{ payment: Payment; row: PaymentRow }> {
    const [row] = (await manager.query(
      `SELECT status, amount, currency, token, reason, email FROM payments.payment WHERE order_id = $1${forUpdate ? ' FOR UPDATE' : ''}`,
      [orderId],
    )) as PaymentRow[];
    return { payment: new Payment(orderId, row.status), row };
  }

  async setStatus(manager: EntityManager, orderId: string, status: PaymentStatus, reason?: string): Promise<void> {
    await manager.query(
      `UPDATE payments.payment SET status = $2, reason = COALESCE($3, reason), refunded_amount = CASE WHEN $2 = 'REFUNDED' THEN amount ELSE refunded_amount END, updated_at = now() WHERE order_id = $1`,
      [orderId, status, reason ?? null],
    );
  }
}
