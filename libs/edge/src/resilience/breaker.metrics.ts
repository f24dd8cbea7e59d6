import { MetricsRegistry } from '@commerce/platform';

const STATES = ['closed', 'open', 'half-open', 'isolated'] as const;

/** `commerce_edge_breaker_state{target,state}`: 1 for each target's current breaker state, 0 for the others. */
export function observeBreakers(metrics: MetricsRegistry, states: () => Record<string, (typeof STATES)[number]>): void {
  metrics.gauge('commerce_edge_breaker_state', 'Circuit breaker state per target context (1 = current state)', ['target', 'state'], (gauge) => {
    for (const [target, current] of Object.entries(states())) for (const state of STATES) gauge.set({ target, state }, state === current ? 1 : 0);
  });
}
