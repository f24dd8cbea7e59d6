import { Injectable } from '@nestjs/common';
import type { PaymentStatus } from '@commerce/contracts';
import { GroupCommit, type OutboxRow } from '@commerce/messaging';
import { InjectDataSource } from '@commerce/platform';
import { DataSource, EntityManager } from 'typeorm';
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
/** COLUMNS of the payment row `p`. */
const P_COLUMNS = 'p.status, p.amount, p.currency, p.token, p.reason, p.email';

/** A charge to claim: the order, and what the payment row records of it. */
export interface ChargeClaim {
  orderId: string;
  amount: { amount: number; currency: string };
  token: string;
  email?: string;
}

/** A PENDING payment to settle with the provider's answer, and its event's outbox row. */
export interface Settlement {
  orderId: string;
  status: PaymentStatus;
  reason: string | undefined;
  event: OutboxRow;
}

/**
 * payments.payment with parameterised SQL. The methods taking a manager join the caller's
 * transaction; a charge's claim and its settlement are group-committed instead: the claims (and the
 * settlements) of concurrent charges are written by one statement (GroupCommit), one round trip and
 * one transaction for the group, a failing group being written again charge by charge.
 */
@Injectable()
export class PaymentRepository {
  private readonly claims: GroupCommit<ChargeClaim, PaymentRow | undefined>;
  private readonly settlements: GroupCommit<Settlement, PaymentRow | undefined>;

  constructor(@InjectDataSource('payments') private readonly dataSource: DataSource) {
    this.claims = new GroupCommit((items) => this.claimOrFindAll(items));
    this.settlements = new GroupCommit((items) => this.settleAllPending(items));
  }

  /**
   * Claims an order's payment as PENDING unless a payment row exists, and returns the row either
   * way; group-committed with the claims of concurrent charges.
   */
  async claimOrFind(claim: ChargeClaim): Promise<{ payment: Payment; row: PaymentRow }> {
    const row = await this.claims.submit(claim);
    // A row another transaction committed while the statement waited is not in its snapshot: read it now.
    return row ? { payment: new Payment(claim.orderId, row.status), row } : this.find(this.dataSource.manager, claim.orderId);
  }

  /**
   * Settles a PENDING payment and writes its event's outbox row in the same statement (with the
   * settlements of concurrent charges); undefined, and nothing written, when the payment is no
   * longer PENDING.
   */
  settlePending(settlement: Settlement): Promise<PaymentRow | undefined> {
    return this.settlements.submit(settlement);
  }

  /** One statement: claims the rows that are new, returns every charge's row (claimed or found). */
  private async claimOrFindAll(claims: ChargeClaim[]): Promise<(PaymentRow | undefined)[]> {
    const rows = (await this.dataSource.query(
      `WITH c AS (
         SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::text[], $5::text[]) AS c(order_id, amount, currency, token, email)
       ), claim AS (
         INSERT INTO payments.payment (order_id, status, amount, currency, token, email)
         SELECT order_id, 'PENDING', amount, currency, token, email FROM c
         ON CONFLICT (order_id) DO NOTHING RETURNING order_id, ${COLUMNS}
       )
       SELECT order_id, ${COLUMNS} FROM claim
       UNION ALL
       SELECT p.order_id, ${P_COLUMNS} FROM payments.payment p WHERE p.order_id IN (SELECT order_id FROM c) AND p.order_id NOT IN (SELECT order_id FROM claim)`,
      [
        claims.map((c) => c.orderId),
        claims.map((c) => c.amount.amount),
        claims.map((c) => c.amount.currency),
        claims.map((c) => c.token),
        claims.map((c) => c.email ?? null),
      ],
    )) as (PaymentRow & { order_id: string })[];
    const byOrder = new Map(rows.map((r) => [r.order_id, r]));
    return claims.map((c) => byOrder.get(c.orderId));
  }

  /**
   * One statement: each PENDING payment takes its answer (compare-and-set on the status) and only
   * those get their event's outbox row. Returns each settlement's row, undefined where the payment
   * was not PENDING (or another settlement of the same order in the group won it).
   */
  private async settleAllPending(settlements: Settlement[]): Promise<(PaymentRow | undefined)[]> {
    const rows = (await this.dataSource.query(
      `WITH s AS (
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[], $5::text[], $6::text[]) AS s(order_id, status, reason, event_id, type, envelope)
       ), settled AS (
         UPDATE payments.payment p SET status = s.status, reason = COALESCE(s.reason, p.reason), updated_at = now()
         FROM s WHERE p.order_id = s.order_id AND p.status = 'PENDING'
         RETURNING s.event_id, ${P_COLUMNS}
       ), event AS (
         INSERT INTO payments.outbox (id, type, envelope) SELECT s.event_id, s.type, s.envelope FROM s WHERE s.event_id IN (SELECT event_id FROM settled)
       )
       SELECT event_id, ${COLUMNS} FROM settled`,
      [
        settlements.map((s) => s.orderId),
        settlements.map((s) => s.status),
        settlements.map((s) => s.reason ?? null),
        settlements.map((s) => s.event.id),
        settlements.map((s) => s.event.type),
        settlements.map((s) => s.event.envelope),
      ],
    )) as (PaymentRow & { event_id: string })[];
    const byEvent = new Map(rows.map(({ event_id, ...row }) => [event_id, row]));
    return settlements.map((s) => byEvent.get(s.event.id));
  }

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
    const [row] = (await manager.query(`SELECT ${COLUMNS} FROM payments.payment WHERE order_id = $1${forUpdate ? ' FOR UPDATE' : ''}`, [
      orderId,
    ])) as PaymentRow[];
    return { payment: new Payment(orderId, row.status), row };
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
