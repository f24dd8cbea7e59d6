import type { PaymentStatus } from '@commerce/contracts';

/** What to do when a charge for an order is requested, given what is recorded. */
export type ChargeDecision = 'call-provider' | 'answer-recorded';

/** What to do when a refund for an order is requested, given what is recorded. */
export type RefundDecision = 'refund-at-provider' | 'void' | 'recheck' | 'nothing';

/** An order's payment and the moves its status allows. Refunds never exceed the capture: one full refund, once. */
export class Payment {
  constructor(
    readonly orderId: string,
    readonly status: PaymentStatus,
  ) {}

  /** A PENDING charge is re-driven (the provider call is idempotent); anything else is the answer. */
  charge(): ChargeDecision {
    return this.status === 'PENDING' ? 'call-provider' : 'answer-recorded';
  }

  /**
   * Captured money goes back once; an in-flight charge is voided; a voided one is checked again at
   * the provider (a charge may have landed, or an earlier give-back failed); declined or refunded
   * needs nothing.
   */
  refund(): RefundDecision {
    if (this.status === 'CAPTURED') return 'refund-at-provider';
    if (this.status === 'PENDING') return 'void';
    if (this.status === 'VOIDED') return 'recheck';
    return 'nothing';
  }

  /** After the provider answered: a charge whose payment was voided meanwhile must be given back. */
  settle(captured: boolean): { status: PaymentStatus; giveBack: boolean } {
    if (this.status === 'VOIDED') return { status: 'VOIDED', giveBack: captured };
    if (this.status !== 'PENDING') return { status: this.status, giveBack: false };
    return { status: captured ? 'CAPTURED' : 'DECLINED', giveBack: false };
  }
}
