import { z } from 'zod';
import { defineCommand, defineEvent } from '../common/contract';
import { moneySchema } from '../common/money';

/** Where a payment for an order stands. */
export const paymentStatusSchema = z.enum(['PENDING', 'CAPTURED', 'DECLINED', 'REFUNDED', 'VOIDED']);
export type PaymentStatus = z.infer<typeof paymentStatusSchema>;

const paymentResult = z.object({ orderId: z.uuid(), status: paymentStatusSchema, reason: z.string().optional(), amount: moneySchema.optional() });

/** Charges an order once, whatever the number of attempts (the provider gets the order id as idempotency key). */
export const ChargePayment = defineCommand(
  'payments.charge-payment.v1',
  z.strictObject({ orderId: z.uuid(), amount: moneySchema, paymentToken: z.string().min(1).max(64), email: z.email().optional() }),
  paymentResult,
);

/** Gives an order's captured money back; before any capture it voids the payment so a late charge is refused. */
export const RefundPayment = defineCommand(
  'payments.refund-payment.v1',
  z.strictObject({ orderId: z.uuid(), reason: z.string().max(500).optional() }),
  paymentResult,
);

/** Money was taken. */
export const PaymentCaptured = defineEvent('payments.payment-captured.v1', z.object({ orderId: z.uuid(), amount: moneySchema }));
/** The charge was declined or failed for good. */
export const PaymentFailed = defineEvent('payments.payment-failed.v1', z.object({ orderId: z.uuid(), reason: z.string() }));
/** Captured money was given back. */
export const PaymentRefunded = defineEvent('payments.payment-refunded.v1', z.object({ orderId: z.uuid(), amount: moneySchema, email: z.email().optional() }));
