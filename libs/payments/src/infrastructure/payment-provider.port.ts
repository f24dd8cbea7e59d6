import { ExponentialBackoff, handleType, retry } from 'cockatiel';

/** A provider's answer to a charge. */
export type ChargeOutcome = { captured: true; reference: string } | { captured: false; reason: string };

/** A failure worth retrying (network, 5xx, rate limit). */
export class TransientProviderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TransientProviderError';
  }
}

/** The port to a card payment provider; every call carries an idempotency key. */
export interface PaymentProvider {
  charge(input: { idempotencyKey: string; amount: number; currency: string; token: string }): Promise<ChargeOutcome>;
  refund(input: { idempotencyKey: string; chargeKey: string }): Promise<void>;
  /** Refunds the charge made under `chargeKey` if the provider has one; false when it never charged. */
  refundIfCharged(input: { idempotencyKey: string; chargeKey: string }): Promise<boolean>;
}

/** Nest injection token of the configured PaymentProvider. */
export const PAYMENT_PROVIDER = Symbol('PAYMENT_PROVIDER');

/** Retries transient provider failures with exponential backoff (cockatiel). */
export function providerRetry(attempts: number) {
  return retry(handleType(TransientProviderError), {
    maxAttempts: Math.max(0, attempts - 1),
    backoff: new ExponentialBackoff({ initialDelay: 50, maxDelay: 1000 }),
  });
}

/** The provider idempotency keys of an order's charge and refund. */
export function providerKeys(orderId: string): { idempotencyKey: string; chargeKey: string } {
  return { idempotencyKey: `refund:${orderId}`, chargeKey: `charge:${orderId}` };
}
