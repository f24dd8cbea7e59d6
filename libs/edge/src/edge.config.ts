import { ConfigError, env, loadConfig } from '@commerce/platform';
import { z } from 'zod';

const DEV_SECRET = 'development-only-jwt-secret-never-use-in-production';

/** The variables this namespace reads, with their rules and defaults. */
export const edgeConfigSchema = z.object({
  NODE_ENV: z.string().default('development'),
  JWT_SECRET: z.string().min(32, 'expected at least 32 characters').optional(),
  JWT_ISSUER: z.string().default('commerce-kit'),
  RATE_LIMIT_AUTH_PER_MINUTE: env.int(1, 100_000).default(10),
  RATE_LIMIT_ORDERS_PER_MINUTE: env.int(1, 100_000).default(30),
});

/** Token verification and abuse limits at the HTTP edge. */
export type EdgeConfig = Omit<z.infer<typeof edgeConfigSchema>, 'JWT_SECRET'> & { JWT_SECRET: string };

/** Reads the edge namespace; outside development JWT_SECRET must be given (the same one identity signs with). */
export function loadEdgeConfig(source: Record<string, string | undefined> = process.env): EdgeConfig {
  const parsed = loadConfig(edgeConfigSchema, source);
  const development = parsed.NODE_ENV === 'development' || parsed.NODE_ENV === 'test';
  if (!parsed.JWT_SECRET && !development) throw new ConfigError('Invalid configuration: JWT_SECRET: required outside development (it is missing)');
  return { ...parsed, JWT_SECRET: parsed.JWT_SECRET ?? DEV_SECRET };
}

/** Nest injection token for EdgeConfig. */
export const EDGE_CONFIG = Symbol('EDGE_CONFIG');
