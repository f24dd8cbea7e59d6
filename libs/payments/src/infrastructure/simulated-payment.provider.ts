import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@commerce/platform';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { PAYMENTS_CONFIG, PaymentsConfig } from '../payments.config';
import { ChargeOutcome, PaymentProvider, TransientProviderError } from './payment-provider.port';

/**
 * A test-mode provider that behaves like a real one: it honours idempotency keys (kept in its own
 * table, so across restarts too) and answers by card token (see README, "Test cards").
 */
@Injectable()
export class SimulatedPaymentProvider implements PaymentProvider, OnModuleDestroy {
  /** Ends the simulated waits at shutdown, as a real provider call would be aborted, so draining never waits for them. */
  private readonly shutdown = new AbortController();

  constructor(
    @InjectDataSource('payments') private readonly dataSource: DataSource,
    @Inject(PAYMENTS_CONFIG) private readonly config: PaymentsConfig,
  ) {}

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
    const [seen] = (await this.dataSource.query(`SELECT outcome FROM payments.sim_provider_call WHERE idempotency_key = $1`, [idempotencyKey])) as {
      outcome: ChargeOutcome;
    }[];
    if (seen) return seen.outcome;
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
    // Recorded, or the answer a concurrent call with the same key recorded first, in one round trip.
    const [recorded] = (await this.dataSource.query(
      `WITH call AS (
         INSERT INTO payments.sim_provider_call (idempotency_key, kind, amount, currency, token, outcome) VALUES ($1, 'charge', $2, $3, $4, $5)
         ON CONFLICT DO NOTHING RETURNING outcome
       )
       SELECT outcome FROM call UNION ALL SELECT outcome FROM payments.sim_provider_call WHERE idempotency_key = $1 AND NOT EXISTS (SELECT 1 FROM call)`,
      [idempotencyKey, amount, currency, token, JSON.stringify(outcome)],
    )) as { outcome: ChargeOutcome }[];
    if (recorded) return recorded.outcome;
    // The other call committed while this statement waited, so its row is not in this statement's snapshot: read it now.
    const [stored] = (await this.dataSource.query(`SELECT outcome FROM payments.sim_provider_call WHERE idempotency_key = $1`, [idempotencyKey])) as {
      outcome: ChargeOutcome;
    }[];
    return stored.outcome;
  }

  onModuleDestroy(): void {
    this.shutdown.abort(new Error('the payment service is shutting down'));
  }

  async refundIfCharged(input: { idempotencyKey: string; chargeKey: string }): Promise<boolean> {
    const [charge] = (await this.dataSource.query(`SELECT outcome FROM payments.sim_provider_call WHERE idempotency_key = $1`, [input.chargeKey])) as {
      outcome: ChargeOutcome;
    }[];
    if (!charge?.outcome.captured) return false;
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
