import type { Channel, Message } from 'amqplib';

/** Settles one delivery exactly once; a second ack or nack (which would close the channel) is ignored. */
export class Settlement {
  private done = false;

  constructor(
    private readonly channel: Channel,
    private readonly msg: Message,
    private readonly onSettled: () => void,
  ) {}

  get settled(): boolean {
    return this.done;
  }

  ack(): void {
    this.finish(() => this.channel.ack(this.msg));
  }

  /** Rejects without requeue: the broker dead-letters it when the queue has a dead-letter exchange. */
  reject(): void {
    this.finish(() => this.channel.nack(this.msg, false, false));
  }

  private finish(settle: () => void): void {
    if (this.done) return;
    this.done = true;
    try {
      settle();
    } catch {
      // The channel is closed: the broker returns the delivery to the queue by itself.
    } finally {
      this.onSettled();
    }
  }
}

interface ConsumerState {
  role: string;
  stopped?: string;
}

/** Knows every consumer and every unsettled delivery of a transport, for readiness and draining. */
export class DeliveryTracker {
  private readonly consumers = new Map<string, ConsumerState>();
  private readonly unsettled = new Map<number, { role: string; since: number }>();
  private next = 0;

  /** Starts tracking a delivery; settle it through the returned Settlement. */
  begin(role: string, channel: Channel, msg: Message): Settlement {
    const id = this.next++;
    this.unsettled.set(id, { role, since: Date.now() });
    return new Settlement(channel, msg, () => this.unsettled.delete(id));
  }

  consuming(role: string): void {
    this.consumers.set(role, { role });
  }

  stopped(role: string, reason: string): void {
    const consumer = this.consumers.get(role);
    if (consumer && !consumer.stopped) consumer.stopped = reason;
  }

  /** Forgets every consumer (the connection is gone; a new one declares them again). */
  reset(): void {
    this.consumers.clear();
  }

  /** How many deliveries are neither acked nor rejected yet. */
  get inFlight(): number {
    return this.unsettled.size;
  }

  /** Why this process is not consuming as it should, or undefined when it is. */
  problem(maxUnsettledMs: number, now = Date.now()): string | undefined {
    const stopped = [...this.consumers.values()].filter((c) => c.stopped);
    if (stopped.length) return stopped.map((c) => `${c.role} consumer stopped: ${c.stopped}`).join('; ');
    const stale = [...this.unsettled.values()].filter((d) => now - d.since > maxUnsettledMs);
    if (stale.length) return `${stale.length} deliveries unsettled for more than ${maxUnsettledMs} ms (${[...new Set(stale.map((d) => d.role))].join(', ')})`;
    return undefined;
  }
}
