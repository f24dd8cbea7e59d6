import { env, loadConfig } from '@commerce/platform';
import { z } from 'zod';

/** The variables this namespace reads, with their rules and defaults. */
export const messagingConfigSchema = z.object({
  TRANSPORT: z.enum(['in-process', 'rmq'], { message: 'expected in-process or rmq' }).default('in-process'),
  RABBITMQ_URL: env.url(['amqp', 'amqps']).default('amqp://guest:guest@127.0.0.1:5672'),
  RMQ_PREFIX: z
    .string()
    .regex(/^[a-z][a-z0-9_-]{0,40}$/, 'expected lower-case letters, digits, - or _')
    .default('commerce'),
  RMQ_PREFETCH: env.int(1, 1000).default(20),
  /**
   * Unacked event deliveries per consumer. Larger than RMQ_PREFETCH: a group-committing subscriber
   * (GroupCommit, 64 at most per write) can only group what is delivered and unacked, and with
   * twice its cap one full group commits while the next gathers (docs/adr/0025).
   */
  RMQ_EVENT_PREFETCH: env.int(1, 1000).default(128),
  RETRY_DELAYS_MS: z
    .string()
    .regex(/^\d+(,\d+){0,9}$/, 'expected up to 10 comma-separated delays in ms')
    .transform((v) => v.split(',').map(Number))
    .default([1000, 5000, 25000]),
  RMQ_UNSETTLED_MAX_MS: env.int(1000, 3_600_000).default(120_000),
  OUTBOX_RELAY: z.enum(['on', 'off'], { message: 'expected on or off' }).default('on'),
  OUTBOX_POLL_MS: env.int(50, 600_000).default(1000),
  /** How long the relay lets further commits gather before claiming again when some committed while it was shipping (0: no wait). */
  OUTBOX_COALESCE_MS: env.int(0, 1000).default(5),
  /** How long a relay's claim on a batch lasts: after a crash its unsent rows are shipped again this much later. */
  OUTBOX_CLAIM_MS: env.int(1000, 600_000).default(10_000),
  /** How soon rows a writer handed over and the transport confirmed are marked sent (one statement for all confirmed meanwhile). */
  OUTBOX_MARK_MS: env.int(1, 600_000).default(100),
  /** The periodic sweep takes unsent rows at least this old: younger ones are their writer's relay's to ship and mark (ADR 32). */
  OUTBOX_SWEEP_AFTER_MS: env.int(0, 600_000).default(2000),
  OUTBOX_RETENTION_HOURS: env.int(1, 24 * 365).default(72),
  OUTBOX_LAG_MAX_MS: env.int(1000, 3_600_000).default(30_000),
});

/** Transport selection, broker, retry schedule and outbox settings. */
export type MessagingConfig = z.infer<typeof messagingConfigSchema>;

/** Reads the messaging namespace from the environment. */
export function loadMessagingConfig(source: Record<string, string | undefined> = process.env): MessagingConfig {
  return loadConfig(messagingConfigSchema, source);
}

/** Nest injection token for MessagingConfig. */
export const MESSAGING_CONFIG = Symbol('MESSAGING_CONFIG');
