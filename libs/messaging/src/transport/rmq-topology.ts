import type { ChannelModel } from 'amqplib';

/** Names of every exchange and queue, derived from a prefix and the service name. */
export class RmqTopology {
  constructor(
    readonly prefix: string,
    readonly service: string,
  ) {}

  /** Topic exchange all events are published to, routed by message type. */
  get eventsExchange(): string {
    return `${this.prefix}.events`;
  }
  /** Where the events exchange sends events no queue is bound for. */
  get unroutedExchange(): string {
    return `${this.prefix}.unrouted`;
  }
  /** Events nobody subscribed to, kept for a week (at most 100 000) for inspection. */
  get unroutedQueue(): string {
    return `${this.prefix}.unrouted`;
  }
  /** Direct exchange commands and queries are sent to, routed by message type to their owner. */
  get requestsExchange(): string {
    return `${this.prefix}.requests`;
  }
  /** This service's share of the events it subscribes to; instances of one service share it. */
  get eventsQueue(): string {
    return `${this.prefix}.${this.service}.events`;
  }
  /**
   * The commands or the queries this service owns. Separate queues (and prefetch windows), so a
   * command handler waiting on a query to the same service can never starve it.
   */
  requestsQueue(kind: 'command' | 'query'): string {
    return `${this.prefix}.${this.service}.${kind === 'command' ? 'commands' : 'queries'}`;
  }
  /** Where a failed event waits `delays[attempt]` ms before it returns to the events queue. */
  retryQueue(attempt: number): string {
    return `${this.prefix}.${this.service}.retry.${attempt}`;
  }
  /** Messages that failed every attempt, or could not be read at all. */
  get deadLetterQueue(): string {
    return `${this.prefix}.${this.service}.dlq`;
  }
}

/**
 * Declares a durable queue with arguments on a channel of its own. A queue that already exists
 * with other arguments (PRECONDITION_FAILED, which closes the channel) is used as it is, and the
 * difference reported: arguments of an existing queue only change by a policy or a redeclaration.
 */
export async function declareQueue(
  model: ChannelModel,
  queue: string,
  args: Record<string, unknown>,
  onMismatch: (queue: string, error: Error) => void,
): Promise<void> {
  const channel = await model.createChannel();
  channel.on('error', () => undefined); // the failure is handled below
  try {
    await channel.assertQueue(queue, { durable: true, arguments: args });
    await channel.close();
  } catch (error) {
    if ((error as { code?: number }).code !== 406) throw error;
    const check = await model.createChannel();
    await check.checkQueue(queue);
    await check.close();
    onMismatch(queue, error as Error);
  }
}
