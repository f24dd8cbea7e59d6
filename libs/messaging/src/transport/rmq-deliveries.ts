import { Logger } from '@nestjs/common';
import { Channel, ConfirmChannel, ConsumeMessage, Options } from 'amqplib';
import { DomainError } from '@commerce/contracts';
import { randomUUID } from 'node:crypto';
import { isPermanentFailure, MessagingErrorCode } from '../bus/messaging.errors';
import { describeFailure, nextDeliveryStep } from './dead-letter';
import { describeHeaders, forwardableHeaders, readDeliveryHeaders } from './delivery-headers';
import { Settlement } from './delivery-tracker';
import { RmqTopology } from './rmq-topology';
import { HostedHandlers, InboundHandler } from './transport';

/** Reply header naming the queue the request was taken from: callers watch that queue's consumers. */
export const REQUEST_QUEUE_HEADER = 'x-request-queue';

/** Why and how a delivery is parked. */
interface Letter {
  type: string;
  attempts: number;
  handlers: string[];
  error: string;
}

/** What the delivery policy needs from the transport that owns the connection. */
export interface DeliveryContext {
  topology: RmqTopology;
  retryDelaysMs: number[];
  inbound(): InboundHandler;
  hosted(): HostedHandlers;
  /** The confirm channel of the current connection. */
  publisher(): ConfirmChannel;
}

/**
 * The one delivery policy of the RabbitMQ transport: every delivery ends in exactly one of ack
 * (handled, or answered), retry (republished to a TTL queue, then acked) or dead-letter (parked
 * with its reason, then acked; rejected to the queue's dead-letter exchange if even that fails).
 */
export class RmqDeliveries {
  private readonly logger = new Logger('RmqTransport');

  constructor(private readonly context: DeliveryContext) {}

  /** The retry queue of the n-th delay (0-based); the delay is in the name, as a queue's TTL cannot change. */
  retryQueueName(index: number): string {
    return `${this.context.topology.retryQueue(index + 1)}.${this.context.retryDelaysMs[index]}ms`;
  }

  /** Whatever the handling threw: the delivery still ends in the DLQ. */
  failed(queue: string, msg: ConsumeMessage, settlement: Settlement, error: unknown): Promise<void> {
    return this.deadLetterOrReject(queue, msg, settlement, {
      type: typeOf(msg),
      attempts: 0,
      handlers: [],
      error: `delivery failed: ${describeFailure(error)}`,
    });
  }

  /** A request is answered (an error reply for a bad one) and acked; one nobody can be answered for is dead-lettered. */
  async onRequest(queue: string, channel: Channel, settlement: Settlement, msg: ConsumeMessage): Promise<void> {
    const { replyTo, correlationId } = msg.properties as { replyTo?: unknown; correlationId?: unknown };
    if (typeof replyTo !== 'string' || !replyTo || typeof correlationId !== 'string' || !correlationId) {
      const error = 'request without reply-to or correlation id: nobody can be answered';
      return this.deadLetterOrReject(queue, msg, settlement, { type: typeOf(msg), attempts: 0, handlers: [], error });
    }
    const reply = await this.context.inbound().handleRequest(msg.content.toString('utf8'));
    try {
      channel.sendToQueue(replyTo, Buffer.from(reply), { correlationId, contentType: 'application/json', headers: { [REQUEST_QUEUE_HEADER]: queue } });
    } catch (error) {
      // The caller times out and gets a retryable error; the request itself was handled.
      this.logger.warn({ msg: 'could not send a reply', err: describeFailure(error) });
    }
    settlement.ack();
  }

  async onEvent(queue: string, settlement: Settlement, msg: ConsumeMessage): Promise<void> {
    const type = typeOf(msg);
    const headers = readDeliveryHeaders(msg.properties.headers);
    if (!headers.ok) return this.deadLetterOrReject(queue, msg, settlement, { type, attempts: 0, handlers: [], error: headers.reason });
    const only = headers.handlers;
    const handlers = this.context
      .hosted()
      .events.filter((e) => e.type === type && (!only || only.includes(e.handlerName)))
      .map((e) => e.handlerName);
    const raw = msg.content.toString('utf8');
    const failures: { handler: string; error: unknown }[] = [];
    for (const handler of handlers) {
      try {
        await this.context.inbound().handleEvent(raw, handler);
      } catch (error) {
        failures.push({ handler, error });
      }
    }
    const permanent = failures.some((f) => isPermanentFailure(f.error)) || handlers.length === 0;
    const step = nextDeliveryStep(failures.length || handlers.length === 0 ? headers.attempt + 1 : 0, this.context.retryDelaysMs, permanent);
    this.context.inbound().settled?.(
      type,
      failures.map((f) => f.handler),
      step,
    ); // metrics
    if (step.kind === 'done') return settlement.ack();
    const letter: Letter = {
      type,
      attempts: headers.attempt + 1,
      handlers: failures.map((f) => f.handler),
      error: failures.map((f) => `${f.handler}: ${describeFailure(f.error)}`).join('; ') || `no handler for ${type}`,
    };
    if (step.kind === 'dead') return this.deadLetterOrReject(queue, msg, settlement, letter);
    this.logger.warn({ msg: 'event handler failed; retrying', type, attempt: step.attempt, delayMs: step.delayMs, error: letter.error });
    try {
      await confirmPublish(this.context.publisher(), this.retryQueueName(step.attempt - 1), msg.content, this.republishOptions(msg, letter));
      settlement.ack();
    } catch (error) {
      const reason = `${letter.error}; the retry could not be scheduled: ${describeFailure(error)}`;
      await this.deadLetterOrReject(queue, msg, settlement, { ...letter, error: reason });
    }
  }

  /**
   * Parks the delivery in the service's DLQ with the reason (body and properties as received,
   * headers reduced to what can be written again) and acks it; when even that fails, rejects it
   * without requeue, so the queue's dead-letter exchange parks it instead of it blocking a slot.
   */
  private async deadLetterOrReject(queue: string, msg: ConsumeMessage, settlement: Settlement, letter: Letter): Promise<void> {
    if (settlement.settled) return;
    this.logger.error({ msg: 'delivery parked in the dead-letter queue', type: letter.type, attempts: letter.attempts, error: letter.error });
    try {
      const options = this.republishOptions(msg, letter);
      options.headers = {
        ...options.headers,
        'x-dead-at': new Date().toISOString(),
        'x-original-queue': queue,
        'x-original-headers': describeHeaders(msg.properties.headers),
      };
      await confirmPublish(this.context.publisher(), this.context.topology.deadLetterQueue, msg.content, options);
      settlement.ack();
    } catch (error) {
      this.logger.error({ msg: 'could not dead-letter a delivery; rejecting it to the broker', type: letter.type, err: describeFailure(error) });
      settlement.reject();
    }
  }

  private republishOptions(msg: ConsumeMessage, letter: Letter): Options.Publish {
    const messageId = msg.properties.messageId as unknown;
    return {
      persistent: true,
      type: letter.type.slice(0, 255),
      messageId: typeof messageId === 'string' && messageId ? messageId.slice(0, 255) : randomUUID(),
      contentType: 'application/json',
      headers: {
        ...forwardableHeaders(msg.properties.headers),
        'x-attempt': letter.attempts,
        'x-handlers': letter.handlers,
        'x-error': letter.error.slice(0, 4000),
      },
    };
  }
}

/** Publishes to a queue and resolves on the broker's confirm. */
function confirmPublish(channel: ConfirmChannel, queue: string, content: Buffer, options: Options.Publish): Promise<void> {
  return new Promise((resolve, reject) => {
    channel.publish('', queue, content, options, (error: unknown) =>
      error ? reject(new DomainError(MessagingErrorCode.NO_HANDLER, 'unavailable', `Broker refused the message: ${String(error)}`)) : resolve(),
    );
  });
}

/** The message type: the `type` property when it is one, else the routing key. */
function typeOf(msg: ConsumeMessage): string {
  const type = msg.properties.type as unknown;
  return typeof type === 'string' && type ? type : msg.fields.routingKey;
}
