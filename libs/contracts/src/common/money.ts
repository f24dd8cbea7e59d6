import { z } from 'zod';

/** Largest amount accepted in minor units (keeps every amount an exact JavaScript integer). */
export const MAX_MINOR_UNITS = 1_000_000_000_000;

/** Money on the wire: integer minor units and an ISO 4217 currency code. */
export const moneySchema = z.object({
  amount: z.number().int().min(0).max(MAX_MINOR_UNITS),
  currency: z.string().regex(/^[A-Z]{3}$/, 'expected an ISO 4217 code such as EUR'),
});

/** Money on the wire. */
export type MoneyDto = z.infer<typeof moneySchema>;
