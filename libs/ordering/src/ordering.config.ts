import { env, loadConfig } from '@commerce/platform';
import { z } from 'zod';

/** The variables this namespace reads, with their rules and defaults. */
export const orderingConfigSchema = z.object({
  ORDER_STEP_TIMEOUT_MS: env.int(100, 600_000).default(10_000),
  ORDER_STALL_MS: env.int(100, 600_000).default(3000),
  ORDER_RECOVERY_INTERVAL_MS: env.int(100, 600_000).default(1000),
  ORDER_COMPENSATION_ATTEMPTS: env.int(1, 20).default(5),
  /** The first pause before a failed call of a step is tried again; it doubles with each failure, up to 30 s. */
  ORDER_RETRY_BACKOFF_MS: env.int(10, 60_000).default(100),
  /** Test-only crash point (honoured only when NODE_ENV=test): SIGKILL after storing the order placed with this Idempotency-Key, before replying. */
  ORDERING_CRASH_AFTER_STORE_KEY: z.string().min(1).max(200).optional(),
});

/** Order flow settings: step deadline, when a quiet order is resumed, error answers allowed, retry backoff. */
export type OrderingConfig = z.infer<typeof orderingConfigSchema>;

/** Reads the ordering namespace from the environment. */
export function loadOrderingConfig(source: Record<string, string | undefined> = process.env): OrderingConfig {
  const config = loadConfig(orderingConfigSchema, source);
  return { ...config, ORDERING_CRASH_AFTER_STORE_KEY: source.NODE_ENV === 'test' ? config.ORDERING_CRASH_AFTER_STORE_KEY : undefined };
}

/** Nest injection token for OrderingConfig. */
export const ORDERING_CONFIG = Symbol('ORDERING_CONFIG');
