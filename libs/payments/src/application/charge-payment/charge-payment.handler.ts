import { Controller, Inject, Logger } from '@nestjs/common';
import { ChargePayment, PayloadOf, PaymentCaptured, PaymentFailed, PaymentStatus, ResultOf } from '@commerce/contracts';
import { Handles, UnitOfWork } from '@commerce/messaging';
import { InjectDataSource } from '@commerce/platform';
import { DataSource } from 'typeorm';
import { PAYMENTS_CONFIG, PaymentsConfig } from '../../payments.config';
import { ChargeOutcome, PAYMENT_PROVIDER, PaymentProvider, providerKeys, providerRetry } from '../../infrastructure/payment-provider.port';
import { PaymentRepository, PaymentRow } from '../../infrastructure/payment.repository';

type Result = ResultOf<typeof ChargePayment>;

/**
 * Charges an order at most once: the order id claims the payment row and is the provider's
 * idempotency key; a repeat returns the recorded answer, a PENDING one is safely re-driven.
 */
@Controller()
export class ChargePaymentHandler {
  private readonly logger = new Logger(ChargePaymentHandler.name);

  constructor(
    @InjectDataSource('payments') private readonly dataSource: DataSource,
    private readonly payments: PaymentRepository,
    private readonly uow: UnitOfWork,
    @Inject(PAYMENT_PROVIDER) private readonly provider: PaymentProvider,
    @Inject(PAYMENTS_CONFIG) private readonly config: PaymentsConfig,
  ) {}

  @Handles(ChargePayment)
  async handle({ orderId, amount, paymentToken, email }: PayloadOf<typeof ChargePayment>): Promise<Result> {
    const recorded = await this.payments.claimOrFind({ orderId, amount, token: paymentToken, email });
    if (recorded.payment.charge() === 'answer-recorded') {
      // A voided payment may still hold money from a charge whose give-back failed: check again.
      if (recorded.row.status === 'VOIDED') await this.giveBack(orderId);
      return this.answer(orderId, recorded.row);
    }

    const outcome = await providerRetry(this.config.PROVIDER_ATTEMPTS).execute(() =>
      this.provider.charge({
        idempotencyKey: providerKeys(orderId).chargeKey,
        amount: recorded.row.amount ? Number(recorded.row.amount) : amount.amount,
        currency: amount.currency,
        token: recorded.row.token ?? paymentToken,
      }),
    );

    const settled =
      (await this.settlePending(orderId, amount, outcome)) ??
      (await this.uow.transaction(this.dataSource, async (m, emit) => {
        const { payment, row } = await this.payments.find(m, orderId, true);
        const next = payment.settle(outcome.captured);
        if (next.status === payment.status) return { next, row };
        if (next.status === 'CAPTURED') await emit(PaymentCaptured, { orderId, amount });
        if (next.status === 'DECLINED') await emit(PaymentFailed, { orderId, reason: outcome.captured ? 'declined' : outcome.reason });
        return { next, row: await this.payments.setStatus(m, orderId, next.status, outcome.captured ? undefined : outcome.reason) };
      }));
    if (settled.next.giveBack) {
      // The payment was voided while the provider was charging: the money goes straight back.
      this.logger.warn({ msg: 'charge completed after the payment was voided; refunding', orderId });
      await this.giveBack(orderId);
    }
    return this.answer(orderId, settled.row);
  }

  /**
   * The common case in one statement (shared with concurrent charges): a PENDING payment takes the
   * provider's answer with its event; undefined when it is no longer PENDING.
   */
  private async settlePending(
    orderId: string,
    amount: PayloadOf<typeof ChargePayment>['amount'],
    outcome: ChargeOutcome,
  ): Promise<{ next: { status: PaymentStatus; giveBack: boolean }; row: PaymentRow } | undefined> {
    const status = outcome.captured ? 'CAPTURED' : 'DECLINED';
    const event = outcome.captured
      ? this.uow.outboxRow(PaymentCaptured, { orderId, amount })
      : this.uow.outboxRow(PaymentFailed, { orderId, reason: outcome.reason });
    const row = await this.payments.settlePending({ orderId, status, reason: outcome.captured ? undefined : outcome.reason, event });
    if (!row) return undefined;
    this.uow.written(this.dataSource, [event]); // settled: its event was inserted with it
    return { next: { status, giveBack: false }, row };
  }

  /** Returns money taken for a voided payment; throws (so the command is retried) when the provider fails. */
  private async giveBack(orderId: string): Promise<void> {
    await providerRetry(this.config.PROVIDER_ATTEMPTS).execute(() => this.provider.refundIfCharged(providerKeys(orderId)));
  }

  private answer(orderId: string, row: { status: Result['status']; amount: string | null; currency: string | null; reason: string | null }): Result {
    return {
      orderId,
      status: row.status,
      ...(row.reason ? { reason: row.reason } : {}),
      ...(row.amount !== null && row.currency ? { amount: { amount: Number(row.amount), currency: row.currency.trim() } } : {}),
    };
  }
}
