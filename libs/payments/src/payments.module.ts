import { Module } from '@nestjs/common';
import { PersistenceModule } from '@commerce/platform';
import { ChargePaymentHandler } from './application/charge-payment/charge-payment.handler';
import { RefundPaymentHandler } from './application/refund-payment/refund-payment.handler';
import { PAYMENT_PROVIDER } from './infrastructure/payment-provider.port';
import { PaymentRepository } from './infrastructure/payment.repository';
import { paymentsDatabase } from './infrastructure/payments.database';
import { SimulatedPaymentProvider } from './infrastructure/simulated-payment.provider';
import { loadPaymentsConfig, PAYMENTS_CONFIG } from './payments.config';

/** The payments context: idempotent charges and refunds against a provider port. */
@Module({
  imports: [PersistenceModule.forContext(paymentsDatabase)],
  providers: [
    { provide: PAYMENTS_CONFIG, useFactory: () => loadPaymentsConfig() },
    { provide: PAYMENT_PROVIDER, useClass: SimulatedPaymentProvider },
    PaymentRepository,
  ],
  // Message handlers: Nest registers their @Handles patterns from a module's controllers.
  controllers: [ChargePaymentHandler, RefundPaymentHandler],
})
export class PaymentsModule {}
