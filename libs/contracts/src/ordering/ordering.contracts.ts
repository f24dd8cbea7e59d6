import { z } from 'zod';
import { defineCommand, defineEvent, defineQuery } from '../common/contract';
import { moneySchema } from '../common/money';

/** Where an order is shipped. */
export const addressSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  line1: z.string().trim().min(1).max(200),
  line2: z.string().trim().max(200).optional(),
  city: z.string().trim().min(1).max(100),
  postalCode: z.string().trim().min(1).max(20),
  country: z.string().regex(/^[A-Z]{2}$/, 'expected an ISO 3166-1 alpha-2 code such as DE'),
});
export type Address = z.infer<typeof addressSchema>;

/**
 * Every state an order can be in; CONFIRMED, REJECTED, CANCELLED are final, COMPENSATION_FAILED
 * and PARKED (a step's owner gave a permanent or invalid answer) wait for a person.
 */
export const orderStatusSchema = z.enum([
  'PLACED',
  'STOCK_RESERVED',
  'PAID',
  'CONFIRMED',
  'COMPENSATING',
  'REJECTED',
  'CANCELLED',
  'COMPENSATION_FAILED',
  'PARKED',
]);
export type OrderStatus = z.infer<typeof orderStatusSchema>;

/** A product and how many, as an order is placed. */
export const orderLineSchema = z.strictObject({ productId: z.uuid(), quantity: z.number().int().min(1).max(1000) });

const orderLine = z.object({ productId: z.uuid(), quantity: z.number().int().min(1).max(1000), unitPrice: moneySchema, name: z.string() });

/** An order as the API shows it, with its history. */
export const orderViewSchema = z.object({
  id: z.uuid(),
  customerId: z.string(),
  email: z.email(),
  status: orderStatusSchema,
  lines: z.array(orderLine),
  total: moneySchema,
  shippingAddress: addressSchema,
  reason: z.string().optional(),
  version: z.number().int(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  history: z.array(z.object({ version: z.number().int(), type: z.string(), at: z.iso.datetime(), data: z.record(z.string(), z.unknown()) })).optional(),
});
export type OrderView = z.infer<typeof orderViewSchema>;

/** Places an order; prices come from the catalog. The same idempotency key and body return the same order. */
export const PlaceOrder = defineCommand(
  'ordering.place-order.v1',
  z.strictObject({
    customerId: z.string().min(1).max(100),
    email: z.email(),
    lines: z.array(orderLineSchema).min(1).max(50),
    shippingAddress: addressSchema,
    paymentToken: z.string().regex(/^tok_[A-Za-z0-9_]{1,60}$/, 'expected a payment method token such as tok_visa'),
    idempotencyKey: z.string().min(1).max(200).optional(),
  }),
  z.object({ orderId: z.uuid(), status: orderStatusSchema, created: z.boolean() }),
);

/** Cancels an order that has not shipped, compensating what was done. */
export const CancelOrder = defineCommand(
  'ordering.cancel-order.v1',
  z.strictObject({ orderId: z.uuid() }),
  z.object({ orderId: z.uuid(), status: orderStatusSchema }),
);

/** Reads one order with its history. */
export const GetOrder = defineQuery('ordering.get-order.v1', z.strictObject({ orderId: z.uuid() }), orderViewSchema);

/** Lists orders, newest first. */
export const ListOrders = defineQuery(
  'ordering.list-orders.v1',
  z.strictObject({
    customerId: z.string().min(1).max(100).optional(),
    status: orderStatusSchema.optional(),
    limit: z.number().int().min(1).max(100).default(20),
    offset: z.number().int().min(0).max(1_000_000).default(0),
  }),
  z.object({ items: z.array(orderViewSchema), total: z.number().int(), limit: z.number().int(), offset: z.number().int() }),
);

const orderRef = {
  orderId: z.uuid(),
  customerId: z.string(),
  email: z.email(),
  total: moneySchema,
  /** Added in place (optional, so older producers stay valid): what was ordered, at which prices. */
  lines: z.array(z.object({ productId: z.uuid(), quantity: z.number().int(), unitPrice: moneySchema })).optional(),
};

/** An order was recorded and its flow begins; announced in the transaction that records it. */
export const OrderPlaced = defineEvent(
  'ordering.order-placed.v1',
  z.object({
    orderId: z.uuid(),
    customerId: z.string(),
    email: z.email(),
    total: moneySchema,
    lines: z.array(z.object({ productId: z.uuid(), quantity: z.number().int(), unitPrice: moneySchema })),
    placedAt: z.iso.datetime(),
  }),
);
/** The order went through: stock sold, payment captured, shipment created. */
export const OrderConfirmed = defineEvent('ordering.order-confirmed.v1', z.object({ ...orderRef }));
/** The order could not go through; everything done was compensated. */
export const OrderRejected = defineEvent('ordering.order-rejected.v1', z.object({ ...orderRef, reason: z.string() }));
/** The customer cancelled the order before it shipped; everything done was compensated. */
export const OrderCancelled = defineEvent('ordering.order-cancelled.v1', z.object({ ...orderRef }));
