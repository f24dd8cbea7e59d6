import { Controller, Inject } from '@nestjs/common';
import { PayloadOf, PaymentRefunded, RefundPayment, ResultOf } from '@commerce/contracts';
import { Handles, UnitOfWork } from '@commerce/messaging';
import { InjectDataSource } from '@commerce/platform';
import { DataSource } from 'typeorm';
import { PAYMENT_PROVIDER, PaymentProvider, providerKeys, providerRetry } from '../../infrastructure/payment-provider.port';
import { PAYMENTS_CONFIG, PaymentsConfig } from '../../payments.config';
import { PaymentRepository } from '../../infrastructure/payment.repository';

/**
 * Gives an order's money back once. Before any charge it leaves a VOIDED marker, so a charge
 * that arrives late is refused; during a charge it voids it, and the charge gives the money back.
 */
@Controller()
export class RefundPaymentHandler {
  constructor(
    @InjectDataSource('payments') private readonly dataSource: DataSource,
    private readonly payments: PaymentRepository,
    private readonly uow: UnitOfWork,
    @Inject(PAYMENT_PROVIDER) private readonly provider: PaymentProvider,
    @Inject(PAYMENTS_CONFIG) private readonly config: PaymentsConfig,
  ) {}

  @Handles(RefundPayment)
  async handle({ orderId }: PayloadOf<typeof RefundPayment>): Promise<ResultOf<typeof RefundPayment>> {
    const decision = await this.dataSource.transaction(async (m) => {
      if (await this.payments.claim(m, orderId, 'VOIDED')) return 'nothing' as const;
      const { payment } = await this.payments.find(m, orderId, true);
      const next = payment.refund();
      if (next === 'void') await this.payments.setStatus(m, orderId, 'VOIDED');
      return next;
    });
    const keys = providerKeys(orderId);
    if (decision === 'void' || decision === 'recheck') {
      // A failure here is thrown, so the caller's compensation retries it; the provider call is idempotent.
      await providerRetry(this.config.PROVIDER_ATTEMPTS).execute(() => this.provider.refundIfCharged(keys));
    }
    if (decision === 'refund-at-provider') {
      await this.provider.refund(keys);
      await this.uow.transaction(this.dataSource, async (m, emit) => {
        const { payment, row } = await this.payments.find(m, orderId, true);
        if (payment.status !== 'CAPTURED') return;
        await this.payments.setStatus(m, orderId, 'REFUNDED');
        await emit(PaymentRefunded, {
          orderId,
          amount: { amount: Number(row.amount), currency: row.currency!.trim() },
          ...(row.email ? { email: row.email } : {}),
        });
      });
    }
    const { row } = await this.payments.find(this.dataSource.manager, orderId);
    return { orderId, status: row.status };
  }
}
