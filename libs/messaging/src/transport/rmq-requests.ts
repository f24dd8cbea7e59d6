import { DomainError } from '@commerce/contracts';
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import { randomUUID } from 'node:crypto';
import { MessagingErrorCode } from '../bus/messaging.errors';
import { CONSUMER_COUNT_MAX_AGE_MS, RmqConsumerWatch } from './rmq-consumer-watch';
import { REQUEST_QUEUE_HEADER } from './rmq-deliveries';
import { RmqTopology } from './rmq-topology';
import { traceHeaders } from './trace-headers';
import { HostedHandlers } from './transport';

const REPLY_TO = 'amq.rabbitmq.reply-to';
/** A request unanswered this long has its queue's consumers checked (then every CONSUMER_COUNT_MAX_AGE_MS). */
const CONSUMER_CHECK_AFTER_MS = 100;

interface Pending {
  type: string;
  resolve: (raw: string) => void;
  reject: (error: Error) => void;
  timer?: NodeJS.Timeout;
}

/** A request whose queue has no consumer: its service is down or not started. */
function noConsumer(type: string, queue: string, sent: boolean): DomainError {
  const what = sent ? 'the query was sent and expires unanswered' : 'not sent';
  return new DomainError(
    MessagingErrorCode.NO_CONSUMER,
    'unavailable',
    `Nothing consumes ${queue}, which takes ${type} (its service is down or not started); ${what}`,
  );
}

/**
 * The calling side of request/reply: publishes to the owner's queue with direct reply-to and
 * matches replies by correlation id. A type nobody binds comes back at once (mandatory); a queue
 * known to have no consumer fails the call before sending; while a request waits, its queue's
 * consumers are checked, and a query whose queue has none fails then rather than at its deadline.
 * A command already sent waits: a consumer that starts in time still handles it.
 */
export class RmqRequests {
  private readonly pending = new Map<string, Pending>();
  private readonly consumers = new RmqConsumerWatch();
  private channel?: Channel;

  constructor(private readonly topology: RmqTopology) {}

  /** The requests this process answers itself are taken from its own queues. */
  hosting(requests: HostedHandlers['requests']): void {
    for (const { type, kind } of requests) this.consumers.learn(type, this.topology.requestsQueue(kind));
  }

  /** Sends on this connection's channel from now on: its direct reply-to gets the replies, and unroutable requests come back on it. */
  async attach(model: ChannelModel, channel: Channel): Promise<void> {
    this.consumers.attach(model);
    channel.on('return', (msg: ConsumeMessage) => {
      const type = msg.properties.type as string | undefined;
      this.settle(
        msg.properties.correlationId as string,
        new DomainError(MessagingErrorCode.NO_HANDLER, 'unavailable', `No service handles ${type ?? 'this message'}`),
      );
    });
    await channel.consume(REPLY_TO, (msg) => msg && this.onReply(msg), { noAck: true });
    this.channel = channel;
  }

  send(type: string, raw: string, timeoutMs: number, kind: 'command' | 'query'): Promise<string> {
    const queue = this.consumers.queueOf(type);
    if (queue && this.consumers.idle(queue)) return Promise.reject(noConsumer(type, queue, false));
    const correlationId = randomUUID();
    const deadline = performance.now() + timeoutMs;
    return new Promise<string>((resolve, reject) => {
      const timedOut = () => this.settle(correlationId, new DomainError(MessagingErrorCode.TIMEOUT, 'timeout', `${type} got no reply within ${timeoutMs} ms`));
      const pending: Pending = { type, resolve, reject };
      const checkConsumers = (target: string) => {
        const left = deadline - performance.now();
        if (left <= 0) return timedOut();
        pending.timer = setTimeout(() => checkConsumers(target), Math.min(CONSUMER_COUNT_MAX_AGE_MS, left));
        void this.consumers.consumers(target).then((consumers) => {
          if (consumers === 0 && kind === 'query') this.settle(correlationId, noConsumer(type, target, true));
        });
      };
      pending.timer = queue ? setTimeout(() => checkConsumers(queue), Math.min(CONSUMER_CHECK_AFTER_MS, timeoutMs)) : setTimeout(timedOut, timeoutMs);
      this.pending.set(correlationId, pending);
      try {
        this.channel!.publish(this.topology.requestsExchange, type, Buffer.from(raw), {
          replyTo: REPLY_TO,
          correlationId,
          type,
          mandatory: true,
          expiration: String(timeoutMs),
          contentType: 'application/json',
          headers: traceHeaders(),
        });
      } catch (error) {
        this.settle(correlationId, new DomainError(MessagingErrorCode.NO_HANDLER, 'unavailable', `Could not send ${type}: ${String(error)}`));
      }
    });
  }

  /** Fails every request still waiting for its reply (the connection was lost, or the bus closes). */
  failAll(message: string): void {
    for (const correlationId of [...this.pending.keys()]) this.settle(correlationId, new DomainError(MessagingErrorCode.NO_HANDLER, 'unavailable', message));
  }

  /** A reply: settles its request, and learns from `x-request-queue` which queue answers the type. */
  private onReply(msg: ConsumeMessage): void {
    const correlationId = msg.properties.correlationId as string;
    const queue = (msg.properties.headers as Record<string, unknown> | undefined)?.[REQUEST_QUEUE_HEADER];
    const pending = this.pending.get(correlationId);
    if (pending && typeof queue === 'string' && queue.length <= 255 && queue.startsWith(`${this.topology.prefix}.`)) this.consumers.learn(pending.type, queue);
    const from = pending && this.consumers.queueOf(pending.type);
    if (from) this.consumers.answered(from);
    this.settle(correlationId, msg.content.toString('utf8'));
  }

  private settle(correlationId: string, outcome: string | Error): void {
    const pending = this.pending.get(correlationId);
    if (!pending) return; // late reply after a timeout
    this.pending.delete(correlationId);
    clearTimeout(pending.timer);
    if (typeof outcome === 'string') pending.resolve(outcome);
    else pending.reject(outcome);
  }
}
