import { MetricsRegistry } from '@commerce/platform';
import type { Counter, Histogram } from 'prom-client';
import type { DeliveryStep } from '../transport/dead-letter';

/** Label for a message whose type is not one this process handles (bounded: never the raw type). */
export const UNKNOWN = 'unknown';

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
    this.consumed.inc({ type, handler });
    const end = this.duration.startTimer({ type, handler });
    return (failed) => {
      end({ outcome: failed ? 'failure' : 'success' });
      if (failed) this.failed.inc({ type, handler });
    };
  }

  /** Records what the transport decided for an event after its handlers ran. */
  delivered(type: string, handlers: readonly string[], step: DeliveryStep): void {
    if (step.kind === 'done') return;
    const counter = step.kind === 'retry' ? this.retried : this.deadLettered;
    for (const handler of handlers.length > 0 ? handlers : [UNKNOWN]) counter.inc({ type, handler });
  }
}
