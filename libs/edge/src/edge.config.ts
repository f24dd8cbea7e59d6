import { env, loadConfig, resolveJwtSecret } from '@commerce/platform';
import { z } from 'zod';

/** The variables this namespace reads, with their rules and defaults. */
export const edgeConfigSchema = z.object({
  NODE_ENV: z.string().default('production'),
  JWT_SECRET: z.string().min(32, 'expected at least 32 characters').optional(),
  JWT_ISSUER: z.string().default('commerce-kit'),
  RATE_LIMIT_AUTH_PER_MINUTE: env.int(1, 1_000_000).default(10),
  RATE_LIMIT_ORDERS_PER_MINUTE: env.int(1, 1_000_000).default(30),
  EDGE_QUERY_TIMEOUT_MS: env.int(50, 120_000).default(3000),
  EDGE_COMMAND_TIMEOUT_MS: env.int(50, 120_000).default(15_000),
  EDGE_QUERY_RETRIES: env.int(0, 5).default(2),
  EDGE_COMPOSE_TIMEOUT_MS: env.int(50, 60_000).default(1500),
  EDGE_BREAKER_THRESHOLD: env.int(1, 1000).default(5),
  EDGE_BREAKER_HALF_OPEN_MS: env.int(100, 600_000).default(10_000),
  EDGE_BULKHEAD_LIMIT: env.int(1, 10_000).default(100),
  EDGE_BULKHEAD_QUEUE: env.int(0, 100_000).default(200),
  /** Services whose dead letters and outboxes the operator's page shows (the gateway's view of the split topology). */
  OPS_SERVICES: z
    .string()
    .regex(/^[a-z][a-z0-9-]*(,[a-z][a-z0-9-]*)*$/, 'expected comma-separated service names')
    .default('identity,catalog,ordering,payments,shipping,notifications,reporting')
    .transform((v) => v.split(',')),
  /** Link from an order to its trace; `{traceId}` is replaced. Default: Grafana Explore on the observability profile. */
  OPS_TRACE_URL: z
    .string()
    .max(2000)
    .default(
      'http://localhost:3300/explore?left=%7B%22datasource%22:%22tempo%22,%22queries%22:%5B%7B%22refId%22:%22A%22,%22queryType%22:%22traceql%22,%22query%22:%22{traceId}%22%7D%5D%7D',
    ),
  /** An order not final and idle this long is listed as stuck. */
  OPS_STUCK_AFTER_MS: env.int(1000, 86_400_000).default(60_000),
});

/** Token verification and abuse limits at the HTTP edge. */
export type EdgeConfig = Omit<z.infer<typeof edgeConfigSchema>, 'JWT_SECRET'> & { JWT_SECRET: string };

/** Reads the edge namespace; outside development JWT_SECRET must be given (the same one identity signs with). */
export function loadEdgeConfig(source: Record<string, string | undefined> = process.env): EdgeConfig {
  const parsed = loadConfig(edgeConfigSchema, source);
  return { ...parsed, JWT_SECRET: resolveJwtSecret(parsed.NODE_ENV, parsed.JWT_SECRET) };
}

/** Nest injection token for EdgeConfig. */
export const EDGE_CONFIG = Symbol('EDGE_CONFIG');
