import { defineQuery } from '@commerce/contracts';
import { z } from 'zod';

/** One context's outbox backlog. */
export const outboxBacklogSchema = z.record(z.string(), z.object({ pending: z.number().int(), oldestSeconds: z.number() }));

/**
 * Asks one service for its outbox backlog per context. Every process answers its own type (a query
 * has one owner), so the operator's page can ask each service in turn over the bus.
 */
export const outboxStateQuery = (service: string) => defineQuery(`${service}.outbox-state.v1`, z.strictObject({}), outboxBacklogSchema);
