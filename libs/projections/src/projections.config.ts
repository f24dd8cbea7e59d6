import { env, loadConfig } from '@commerce/platform';
import { z } from 'zod';

/** The variables this namespace reads, with their rules and defaults. */
export const projectionsConfigSchema = z.object({
  PROJECTIONS: z.enum(['on', 'off'], { message: 'expected on or off' }).default('on'),
  PROJECTION_POLL_MS: env.int(10, 600_000).default(250),
  PROJECTION_KICK_DELAY_MS: env.int(0, 10_000).default(20),
  PROJECTION_BATCH_SIZE: env.int(1, 10_000).default(500),
});

/** Whether this process runs projections, how often it polls, how soon after new events, and how many events a round hands each projection. */
export type ProjectionsConfig = z.infer<typeof projectionsConfigSchema>;

/** Reads the projections namespace from the environment. */
export function loadProjectionsConfig(source: Record<string, string | undefined> = process.env): ProjectionsConfig {
  return loadConfig(projectionsConfigSchema, source);
}
