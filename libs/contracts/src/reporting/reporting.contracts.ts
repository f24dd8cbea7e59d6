import { z } from 'zod';
import { defineCommand, defineQuery } from '../common/contract';

const day = z.iso.date();

/** Units sold, revenue and refunds of one product on one day (UTC), in minor units. */
export const salesRowSchema = z.object({
  day,
  productId: z.uuid(),
  currency: z.string(),
  units: z.number().int(),
  revenue: z.number().int(),
  refunds: z.number().int(),
});
export type SalesRow = z.infer<typeof salesRowSchema>;

/** Sales per product per day between two days, inclusive (at most a year). */
export const GetSalesReport = defineQuery(
  'reporting.get-sales-report.v1',
  z
    .strictObject({ from: day, to: day })
    .refine((q) => q.from <= q.to, { message: 'from must not be after to', path: ['from'] })
    .refine((q) => Date.parse(q.to) - Date.parse(q.from) <= 366 * 86_400_000, { message: 'at most 366 days', path: ['to'] }),
  z.object({ items: z.array(salesRowSchema) }),
);

/** An order as the reporting read model knows it. */
export const customerOrderSchema = z.object({
  orderId: z.uuid(),
  status: z.string(),
  total: z.object({ amount: z.number().int(), currency: z.string() }).optional(),
  trackingNumber: z.string().optional(),
  updatedAt: z.iso.datetime(),
});
export type CustomerOrder = z.infer<typeof customerOrderSchema>;

/** One customer's orders, newest first, from the reporting read model. */
export const ListCustomerOrders = defineQuery(
  'reporting.list-customer-orders.v1',
  z.strictObject({
    customerId: z.string().min(1).max(100),
    limit: z.number().int().min(1).max(100).default(20),
    offset: z.number().int().min(0).max(1_000_000).default(0),
  }),
  z.object({ items: z.array(customerOrderSchema), total: z.number().int() }),
);

/** Position, lag and state of one version of a projection. */
export const projectionStatusSchema = z.object({
  name: z.string(),
  version: z.number().int(),
  live: z.boolean(),
  state: z.enum(['running', 'rebuilding', 'failed']),
  position: z.string(),
  applied: z.number().int(),
  eventsBehind: z.number().int(),
  secondsBehind: z.number(),
  reason: z.string().optional(),
  failedPosition: z.string().optional(),
  updatedAt: z.iso.datetime(),
});

/** Every reporting projection's position, lag and state. */
export const GetProjectionStatus = defineQuery(
  'reporting.get-projection-status.v1',
  z.strictObject({}),
  z.object({ projections: z.array(projectionStatusSchema) }),
);

const projectionName = z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, 'expected a projection name such as sales_daily');

/** Builds a new version of a projection from the retained event log beside the live one, then switches readers. */
export const RebuildProjection = defineCommand(
  'reporting.rebuild-projection.v1',
  z.strictObject({ name: projectionName }),
  z.object({ name: z.string(), version: z.number().int() }),
);

/** Resumes a failed projection from its checkpoint, after the cause was fixed. */
export const RetryProjection = defineCommand(
  'reporting.retry-projection.v1',
  z.strictObject({ name: projectionName }),
  z.object({ name: z.string(), resumed: z.number().int() }),
);
