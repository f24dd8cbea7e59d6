import type { Channel, Message } from 'amqplib';

/**
 * The acks of one consumer channel, coalesced: acks asked for in one turn of the event loop go out
 * together on the next, and the longest run of the channel's oldest outstanding deliveries that
 * are all acked goes as one `multiple` ack (a group commit settles a run of deliveries at once).
 * A `multiple` ack covers every unsettled delivery up to its tag, so it is only sent for a prefix
 * of outstanding deliveries each of which was acked; an ack past a delivery still in progress goes
 * alone, at once, and is not held back. Rejects are sent at once, one by one, and leave the
 * outstanding list first, so no later `multiple` ack can swallow one.
 */
export class ChannelAcks {
  /** Delivery tags received on the channel and not yet acked or rejected to the broker, ascending. */
  private readonly outstanding: number[] = [];
  /** Deliveries whose ack waits for the next flush, by tag. */
  private readonly acked = new Map<number, Message>();
  private scheduled = false;

  constructor(private readonly channel: Channel) {}

  /** A delivery arrived on this channel (tags grow with each delivery). */
  received(msg: Message): void {
    this.outstanding.push(msg.fields.deliveryTag);
  }

  ack(msg: Message): void {
    this.acked.set(msg.fields.deliveryTag, msg);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  /** Rejects without requeue, at once. */
  reject(msg: Message): void {
    this.forget(msg.fields.deliveryTag);
    this.channel.nack(msg, false, false);
  }

  /** Sends the acks asked for so far: the settled prefix as one `multiple` ack, the others one by one. */
  flush(): void {
    this.scheduled = false;
    if (this.acked.size === 0) return;
    let prefix = 0;
    while (prefix < this.outstanding.length && this.acked.has(this.outstanding[prefix])) prefix++;
    const sends: [Message, boolean][] = [];
    if (prefix > 0) {
      const last = this.outstanding[prefix - 1];
      sends.push([this.acked.get(last)!, prefix > 1]);
      for (const tag of this.outstanding.splice(0, prefix)) this.acked.delete(tag);
    }
    for (const [tag, msg] of this.acked) {
      sends.push([msg, false]);
      this.forget(tag);
    }
    this.acked.clear();
    try {
      for (const [msg, multiple] of sends) this.channel.ack(msg, multiple);
    } catch {
      // The channel is closed: the broker returns its unacked deliveries to the queue by itself.
    }
  }

  private forget(tag: number): void {
    const at = this.outstanding.indexOf(tag);
    if (at >= 0) this.outstanding.splice(at, 1);
  }
}

/** Settles one delivery exactly once; a second ack or nack (which would close the channel) is ignored. */
export class Settlement {
  private done = false;

  constructor(
    private readonly channel: Channel,
    private readonly msg: Message,
    private readonly onSettled: () => void,
    private readonly acks?: ChannelAcks,
  ) {}

  get settled(): boolean {
    return this.done;
  }

  /** Acks the delivery: at once, or with the channel's next coalesced acks when it has them. */
  ack(): void {
    this.finish(() => (this.acks ? this.acks.ack(this.msg) : this.channel.ack(this.msg)));
  }

  /** Rejects without requeue: the broker dead-letters it when the queue has a dead-letter exchange. */
  reject(): void {
    this.finish(() => (this.acks ? this.acks.reject(this.msg) : this.channel.nack(this.msg, false, false)));
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

  /** Starts tracking a delivery; settle it through the returned Settlement (through the channel's coalesced `acks` when given). */
  begin(role: string, channel: Channel, msg: Message, acks?: ChannelAcks): Settlement {
    const id = this.next++;
    this.unsettled.set(id, { role, since: Date.now() });
    acks?.received(msg);
    return new Settlement(channel, msg, () => this.unsettled.delete(id), acks);
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
