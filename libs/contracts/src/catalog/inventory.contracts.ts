import { z } from 'zod';
import { defineCommand, defineEvent, defineQuery } from '../common/contract';

/** Stock of one product: free to reserve, held for orders, and sold. */
export const stockLevelSchema = z.object({
  productId: z.uuid(),
  available: z.number().int().min(0),
  reserved: z.number().int().min(0),
  committed: z.number().int().min(0),
});
export type StockLevelView = z.infer<typeof stockLevelSchema>;

const reservationLine = z.strictObject({ productId: z.uuid(), quantity: z.number().int().min(1).max(1_000_000) });
const shortage = z.object({ productId: z.uuid(), requested: z.number().int(), available: z.number().int() });

/** Where a reservation stands. */
export const reservationStatusSchema = z.enum(['RESERVED', 'REJECTED', 'RELEASED', 'COMMITTED']);
export type ReservationStatus = z.infer<typeof reservationStatusSchema>;

const reservationResult = z.object({
  orderId: z.uuid(),
  status: reservationStatusSchema,
  shortages: z.array(shortage).optional(),
});

/** Reads stock of one product. */
export const GetStock = defineQuery('catalog.get-stock.v1', z.strictObject({ productId: z.uuid() }), stockLevelSchema);

/** Admin correction of available stock by a signed delta (never below zero). */
export const AdjustStock = defineCommand(
  'catalog.adjust-stock.v1',
  z.strictObject({ productId: z.uuid(), delta: z.number().int().min(-1_000_000_000).max(1_000_000_000), reason: z.string().trim().min(1).max(500) }),
  stockLevelSchema,
);

/** Reserves every line of an order or none of them; idempotent per order id. */
export const ReserveStock = defineCommand(
  'catalog.reserve-stock.v1',
  z.strictObject({ orderId: z.uuid(), lines: z.array(reservationLine).min(1).max(100) }),
  reservationResult,
);

/** Gives an order's reserved stock back; idempotent, and a release before the reserve wins. */
export const ReleaseStock = defineCommand(
  'catalog.release-stock.v1',
  z.strictObject({ orderId: z.uuid(), reason: z.string().max(500).optional() }),
  reservationResult,
);

/** Turns an order's reservation into sold stock; idempotent. */
export const CommitStock = defineCommand('catalog.commit-stock.v1', z.strictObject({ orderId: z.uuid() }), reservationResult);

/** All lines of an order were reserved. */
export const StockReserved = defineEvent('catalog.stock-reserved.v1', z.object({ orderId: z.uuid(), lines: z.array(reservationLine) }));

/** An order could not be reserved; nothing was held. */
export const StockReservationFailed = defineEvent('catalog.stock-reservation-failed.v1', z.object({ orderId: z.uuid(), shortages: z.array(shortage) }));

/** An order's reservation was given back. */
export const StockReleased = defineEvent('catalog.stock-released.v1', z.object({ orderId: z.uuid(), lines: z.array(reservationLine) }));

/** An order's reservation became sold stock. */
export const StockCommitted = defineEvent('catalog.stock-committed.v1', z.object({ orderId: z.uuid(), lines: z.array(reservationLine) }));
