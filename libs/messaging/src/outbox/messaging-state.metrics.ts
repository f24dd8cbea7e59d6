import { Logger } from '@nestjs/common';
import { MetricsRegistry } from '@commerce/platform';
import { Transport } from '../transport/transport';
import { OutboxRelay } from './outbox-relay';

const logger = new Logger('MessagingMetrics');

/** Gauges read at scrape time: each context's outbox backlog and this service's dead-letter depth. */
export function observeMessagingState(metrics: MetricsRegistry, relay: OutboxRelay, transport: Transport, service: string): void {
  let backlog: ReturnType<OutboxRelay['backlog']> | undefined;
  // Both outbox gauges are collected in one scrape: share one query between them.
  const read = () => (backlog ??= relay.backlog().finally(() => setImmediate(() => (backlog = undefined))));
  metrics.gauge('commerce_outbox_pending_messages', 'Outbox rows written but not yet shipped, per context', ['context'], async (gauge) => {
    for (const [context, b] of Object.entries(await read().catch(warn))) gauge.set({ context }, b.pending);
  });
  metrics.gauge('commerce_outbox_oldest_age_seconds', 'Age of the oldest unshipped outbox row, per context (0 when empty)', ['context'], async (gauge) => {
    for (const [context, b] of Object.entries(await read().catch(warn))) gauge.set({ context }, b.oldestSeconds);
  });
  metrics.gauge('commerce_dead_letters', "Messages parked in this service's dead-letter queue", ['service'], async (gauge) => {
    // The page's total is the broker's count (the in-process list's length), not the page size.
    const depth = transport.isConnected() ? (await transport.list(service, { offset: 0, limit: 1 }).catch(() => undefined))?.total : undefined;
    if (depth !== undefined) gauge.set({ service }, depth);
  });
}

function warn(error: unknown): Record<string, never> {
  logger.warn({ msg: 'could not read the outbox backlog for metrics', err: error instanceof Error ? error.message : String(error) });
  return {};
}
