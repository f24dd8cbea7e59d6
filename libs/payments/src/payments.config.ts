import { env, loadConfig } from '@commerce/platform';
import { z } from 'zod';

/** The variables this namespace reads, with their rules and defaults. */
export const paymentsConfigSchema = z.object({
  SIM_PROVIDER_HANG_MS: env.int(0, 600_000).default(30_000),
  SIM_PROVIDER_SLOW_MS: env.int(0, 600_000).default(1000),
  PROVIDER_ATTEMPTS: env.int(1, 10).default(4),
});

/** Payments settings. */
export type PaymentsConfig = z.infer<typeof paymentsConfigSchema>;

/** Reads the payments namespace from the environment. */
export function loadPaymentsConfig(source: Record<string, string | undefined> = process.env): PaymentsConfig {
  return loadConfig(paymentsConfigSchema, source);
}

/** Nest injection token for PaymentsConfig. */
export const PAYMENTS_CONFIG = Symbol('PAYMENTS_CONFIG');
