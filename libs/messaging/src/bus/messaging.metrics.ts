import { MetricsRegistry } from '@commerce/platform';
import type { Counter, Histogram } from 'prom-client';
import type { DeliveryStep } from '../transport/dead-letter';

/** Label for a message whose type is not one this process handles (bounded: never the raw type). */
export const UNKNOWN = 'unknown';

interface HandlerLabels {
  handler: { type: string; handler: string };
  success: { type: string; handler: string; outcome: 'success' };
  failure: { type: string; handler: string; outcome: 'failure' };
}

/**
 * Per message type and handler: deliveries handed to a handler, failed attempts, retries scheduled,
 * messages parked in the DLQ, and handling time. Types and handler names come from the handler
 * registry, so the label sets are bounded by the code, not by what arrives on the wire.
 */
export class MessagingMetrics {
  private readonly consumed: Counter<'type' | 'handler'>;
  private readonly failed: Counter<'type' | 'handler'>;
  private readonly retried: Counter<'type' | 'handler'>;
  private readonly deadLettered: Counter<'type' | 'handler'>;
  private readonly duration: Histogram<'type' | 'handler' | 'outcome'>;
  /** By type, then handler; both come from the handler registry or are UNKNOWN, so the map is bounded by the code. */
  private readonly labels = new Map<string, Map<string, HandlerLabels>>();

  constructor(metrics: MetricsRegistry) {
    const labels = ['type', 'handler'] as const;
    this.consumed = metrics.counter('commerce_messages_consumed_total', 'Messages handed to a handler (each attempt)', labels);
    this.failed = metrics.counter('commerce_messages_failed_total', 'Handler attempts that failed (threw or could not read the message)', labels);
    this.retried = metrics.counter('commerce_messages_retried_total', 'Event deliveries scheduled for another attempt', labels);
    this.deadLettered = metrics.counter('commerce_messages_dead_lettered_total', 'Event deliveries parked in the dead-letter queue', labels);
    this.duration = metrics.histogram('commerce_message_handling_duration_seconds', 'Time a handler took, by outcome', [...labels, 'outcome']);
  }

  /** Times one handler attempt; call the returned function with whether it failed. */
  start(type: string, handler: string): (failed: boolean) => void {
    const labels = this.labelsOf(type, handler);
    this.consumed.inc(labels.handler);
    const started = performance.now();
    return (failed) => {
      this.duration.observe(failed ? labels.failure : labels.success, (performance.now() - started) / 1000);
      if (failed) this.failed.inc(labels.handler);
    };
  }

  /** The label sets of a type and handler, made once: every message would otherwise build three objects for them. */
  private labelsOf(type: string, handler: string): HandlerLabels {
    let byHandler = this.labels.get(type);
    if (!byHandler) this.labels.set(type, (byHandler = new Map()));
    let labels = byHandler.get(handler);
    if (!labels) {
      labels = {
        handler: { type, handler },
        success: { type, handler, outcome: 'success' },
        failure: { type, handler, outcome: 'failure' },
      };
      byHandler.set(handler, labels);
    }
    return labels;
  }

  /** Records what the transport decided for an event after its handlers ran. */
  delivered(type: string, handlers: readonly string[], step: DeliveryStep): void {
    if (step.kind === 'done') return;
    const counter = step.kind === 'retry' ? this.retried : this.deadLettered;
    for (const handler of handlers.length > 0 ? handlers : [UNKNOWN]) counter.inc({ type, handler });
  }
}
