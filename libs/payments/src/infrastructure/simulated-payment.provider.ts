import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { GroupCommit } from '@commerce/messaging';
import { InjectDataSource } from '@commerce/platform';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { PAYMENTS_CONFIG, PaymentsConfig } from '../payments.config';
import { ChargeOutcome, PaymentProvider, TransientProviderError } from './payment-provider.port';

/** A charge the provider answered, to record under its idempotency key. */
interface ChargeCall {
  idempotencyKey: string;
  amount: number;
  currency: string;
  token: string;
  outcome: ChargeOutcome;
}

/**
 * A test-mode provider that behaves like a real one: it honours idempotency keys (kept in its own
 * table, so across restarts too) and answers by card token (see README, "Test cards").
 */
@Injectable()
export class SimulatedPaymentProvider implements PaymentProvider, OnModuleDestroy {
  /** Ends the simulated waits at shutdown, as a real provider call would be aborted, so draining never waits for them. */
  private readonly shutdown = new AbortController();
  /** Calls answered together are recorded by one statement (group commit). */
  private readonly calls: GroupCommit<ChargeCall, ChargeOutcome | undefined>;

  constructor(
    @InjectDataSource('payments') private readonly dataSource: DataSource,
    @Inject(PAYMENTS_CONFIG) private readonly config: PaymentsConfig,
  ) {
    this.calls = new GroupCommit((calls) => this.recordCalls(calls));
  }

  async charge({
    idempotencyKey,
    amount,
    currency,
    token,
  }: {
    idempotencyKey: string;
    amount: number;
    currency: string;
    token: string;
  }): Promise<ChargeOutcome> {
    // Test cards that count attempts or wait answer a repeated key from the record before doing so;
    // for the others, recording the call returns the first answer anyway.
    if (token === 'tok_transient' || token === 'tok_timeout' || token === 'tok_slow') {
      const seen = await this.recorded(idempotencyKey);
      if (seen) return seen;
    }
    if (token === 'tok_transient') {
      const [{ attempts }] = (await this.dataSource.query(
        `INSERT INTO payments.sim_provider_attempt (idempotency_key, attempts) VALUES ($1, 1)
         ON CONFLICT (idempotency_key) DO UPDATE SET attempts = sim_provider_attempt.attempts + 1 RETURNING attempts`,
        [idempotencyKey],
      )) as { attempts: number }[];
      if (attempts <= 2) throw new TransientProviderError(`provider unavailable (attempt ${attempts})`);
    }
    if (token === 'tok_timeout') await sleep(this.config.SIM_PROVIDER_HANG_MS, undefined, { signal: this.shutdown.signal });
    if (token === 'tok_slow') await sleep(this.config.SIM_PROVIDER_SLOW_MS, undefined, { signal: this.shutdown.signal });
    const outcome: ChargeOutcome =
      token === 'tok_declined' ? { captured: false, reason: 'card declined' } : { captured: true, reference: `ch_${idempotencyKey.slice(0, 8)}` };
    // Recorded, or the answer a call with the same key recorded first (group-committed with concurrent calls).
    return (await this.calls.submit({ idempotencyKey, amount, currency, token, outcome })) ?? (await this.recorded(idempotencyKey))!;
  }

  /** The answer recorded for a key, if any. */
  private async recorded(idempotencyKey: string): Promise<ChargeOutcome | undefined> {
    const [seen] = (await this.dataSource.query(`SELECT outcome FROM payments.sim_provider_call WHERE idempotency_key = $1`, [idempotencyKey])) as {
      outcome: ChargeOutcome;
    }[];
    return seen?.outcome;
  }

  /**
   * Records the charges of concurrent calls in one statement; each gets its recorded outcome, or the
   * one a call with the same key recorded first. Undefined when that call committed while the
   * statement waited (not in its snapshot: the caller reads it).
   */
  private async recordCalls(calls: ChargeCall[]): Promise<(ChargeOutcome | undefined)[]> {
    const rows = (await this.dataSource.query(
      `WITH c AS (
         SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::jsonb[]) AS c(idempotency_key, amount, currency, token, outcome)
       ), call AS (
         INSERT INTO payments.sim_provider_call (idempotency_key, kind, amount, currency, token, outcome)
         SELECT idempotency_key, 'charge', amount, currency, token, outcome FROM c
         ON CONFLICT DO NOTHING RETURNING idempotency_key, outcome
       )
       SELECT idempotency_key, outcome FROM call
       UNION ALL
       SELECT idempotency_key, outcome FROM payments.sim_provider_call
       WHERE idempotency_key IN (SELECT idempotency_key FROM c) AND idempotency_key NOT IN (SELECT idempotency_key FROM call)`,
      [
        calls.map((c) => c.idempotencyKey),
        calls.map((c) => c.amount),
        calls.map((c) => c.currency),
        calls.map((c) => c.token),
        calls.map((c) => JSON.stringify(c.outcome)),
      ],
    )) as { idempotency_key: string; outcome: ChargeOutcome }[];
    const byKey = new Map(rows.map((r) => [r.idempotency_key, r.outcome]));
    return calls.map((c) => byKey.get(c.idempotencyKey));
  }

  onModuleDestroy(): void {
    this.shutdown.abort(new Error('the payment service is shutting down'));
  }

  async refundIfCharged(input: { idempotencyKey: string; chargeKey: string }): Promise<boolean> {
    if (!(await this.recorded(input.chargeKey))?.captured) return false;
    await this.refund(input);
    return true;
  }

  async refund({ idempotencyKey, chargeKey }: { idempotencyKey: string; chargeKey: string }): Promise<void> {
    const [charge] = (await this.dataSource.query(`SELECT token, amount, currency FROM payments.sim_provider_call WHERE idempotency_key = $1`, [
      chargeKey,
    ])) as {
      token: string;
      amount: string;
      currency: string;
    }[];
    if (!charge) throw new Error(`no charge ${chargeKey} to refund`);
    if (charge.token === 'tok_refund_fails') throw new TransientProviderError('refunds are failing at the provider');
    await this.dataSource.query(
      `INSERT INTO payments.sim_provider_call (idempotency_key, kind, amount, currency, token, outcome) VALUES ($1, 'refund', $2, $3, $4, '{"refunded":true}') ON CONFLICT DO NOTHING`,
      [idempotencyKey, charge.amount, charge.currency, charge.token],
    );
  }
}
