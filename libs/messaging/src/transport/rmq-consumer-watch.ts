import type { Channel, ChannelModel } from 'amqplib';

/** How long a queue's consumer count is trusted before it is asked again. */
export const CONSUMER_COUNT_MAX_AGE_MS = 250;

interface Count {
  consumers: number | undefined;
  at: number;
}

/**
 * Knows which queue takes each request type (what this process hosts, and what replies name in
 * `x-request-queue`) and whether anybody consumes it, by a passive queue declare. A count is asked
 * at most once per queue every 250 ms, and only for requests still unanswered (or a queue seen
 * idle), so an answered call never pays a round trip to the broker.
 */
export class RmqConsumerWatch {
  private readonly queues = new Map<string, string>();
  private readonly counts = new Map<string, Count>();
  private readonly checks = new Map<string, Promise<number | undefined>>();
  private model?: ChannelModel;
  private channel?: Promise<Channel>;

  /** Records the queue a request type is taken from. */
  learn(type: string, queue: string): void {
    if (this.queues.get(type) !== queue) this.queues.set(type, queue);
  }

  /** The queue a request type is taken from, once known. */
  queueOf(type: string): string | undefined {
    return this.queues.get(type);
  }

  /**
   * A reply came from the queue: somebody consumes it now. This outranks any count asked before it,
   * so a call made right after a service came back is sent, not failed on a count from its downtime.
   */
  answered(queue: string): void {
    if (this.counts.get(queue)?.consumers !== 0 && !this.checks.has(queue)) return; // nothing to correct
    this.counts.set(queue, { consumers: 1, at: performance.now() });
  }

  /** Whether the queue was seen without a consumer less than 250 ms ago. */
  idle(queue: string): boolean {
    const count = this.counts.get(queue);
    return count?.consumers === 0 && performance.now() - count.at < CONSUMER_COUNT_MAX_AGE_MS;
  }

  /** The queue's consumers, at most 250 ms old; undefined when the broker cannot tell (no connection, no such queue). */
  consumers(queue: string): Promise<number | undefined> {
    const count = this.counts.get(queue);
    if (count && performance.now() - count.at < CONSUMER_COUNT_MAX_AGE_MS) return Promise.resolve(count.consumers);
    let check = this.checks.get(queue);
    if (!check) {
      check = this.check(queue).finally(() => this.checks.delete(queue));
      this.checks.set(queue, check);
    }
    return check;
  }

  /** Asks on the given connection from now on; counts seen on an earlier one are forgotten. */
  attach(model: ChannelModel): void {
    this.model = model;
    this.channel = undefined;
    this.counts.clear();
  }

  private async check(queue: string): Promise<number | undefined> {
    const at = performance.now(); // the count's age runs from the question, so a check every 250 ms always asks again
    let consumers: number | undefined;
    try {
      consumers = (await (await this.open()).checkQueue(queue)).consumerCount;
    } catch {
      consumers = undefined; // a missing queue closes the channel; the next check opens another
      this.channel = undefined;
    }
    const newer = this.counts.get(queue);
    if (newer && newer.at > at) return newer.consumers; // a reply arrived while the broker was asked: it is the fresher fact
    this.counts.set(queue, { consumers, at });
    return consumers;
  }

  private open(): Promise<Channel> {
    if (!this.model) return Promise.reject(new Error('not connected'));
    if (!this.channel) {
      const opening = this.model.createChannel().then((channel) => {
        channel.on('error', () => undefined); // a passive declare of a missing queue closes the channel: expected
        channel.on('close', () => this.channel === opening && (this.channel = undefined));
        return channel;
      });
      opening.catch(() => this.channel === opening && (this.channel = undefined));
      this.channel = opening;
    }
    return this.channel;
  }
}
