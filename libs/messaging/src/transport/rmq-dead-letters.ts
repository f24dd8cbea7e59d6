import { ChannelModel, ConfirmChannel, GetMessage } from 'amqplib';
import { DeadLetter, DeadLetterPage, DeadLetterStore, DEAD_LETTER_PAGE, parseBody, summarise } from './dead-letter';
import { RmqTopology } from './rmq-topology';

/** The most messages one admin call reads from a DLQ (each is requeued in order afterwards). */
const SCAN_MAX = DEAD_LETTER_PAGE.maxOffset + DEAD_LETTER_PAGE.maxLimit;

/** A service's DLQ on RabbitMQ, read with basic.get and requeued in order: the broker is the only store. */
export class RmqDeadLetters implements DeadLetterStore {
  constructor(
    private readonly prefix: string,
    private readonly model: () => Promise<ChannelModel>,
  ) {}

  async list(service: string, page: { offset: number; limit: number }): Promise<DeadLetterPage> {
    const offset = Math.min(Math.max(0, page.offset), DEAD_LETTER_PAGE.maxOffset);
    const limit = Math.min(Math.max(1, page.limit), DEAD_LETTER_PAGE.maxLimit);
    let index = 0;
    const items: DeadLetterPage['items'] = [];
    const total = await this.scan(service, offset + limit, (msg) => {
      if (index++ >= offset) {
        const { message: _message, ...fields } = toDeadLetter(msg, false);
        items.push(summarise(fields, msg.content));
      }
      return 'keep';
    });
    return { items, offset, limit, total };
  }

  async get(service: string, id: string): Promise<DeadLetter | undefined> {
    let found: DeadLetter | undefined;
    await this.scan(service, SCAN_MAX, (msg) => {
      if (!found && letterId(msg) === id) found = toDeadLetter(msg, true);
      return 'keep';
    });
    return found;
  }

  async replay(service: string, id: string): Promise<boolean> {
    const queue = new RmqTopology(this.prefix, service).eventsQueue;
    let found = false;
    await this.scan(service, SCAN_MAX, (msg, channel) => {
      if (found || letterId(msg) !== id) return 'keep';
      found = true;
      const headers = { ...(msg.properties.headers ?? {}), 'x-attempt': 0, 'x-replayed-at': new Date().toISOString() };
      channel.sendToQueue(queue, msg.content, { ...msg.properties, headers, persistent: true });
      return 'remove';
    });
    return found;
  }

  async discard(service: string, id: string): Promise<boolean> {
    let found = false;
    await this.scan(service, SCAN_MAX, (msg) => {
      if (found || letterId(msg) !== id) return 'keep';
      found = true;
      return 'remove';
    });
    return found;
  }

  /** Reads up to `max` letters one at a time, then requeues the kept ones in their order; resolves to the queue's length before. */
  private async scan(service: string, max: number, decide: (msg: GetMessage, channel: ConfirmChannel) => 'keep' | 'remove'): Promise<number> {
    const queue = new RmqTopology(this.prefix, service).deadLetterQueue;
    const channel = await (await this.model()).createConfirmChannel();
    const held: GetMessage[] = [];
    try {
      const { messageCount } = await channel.assertQueue(queue, { durable: true });
      for (let i = 0; i < Math.min(max, SCAN_MAX); i++) {
        const msg = await channel.get(queue, { noAck: false });
        if (!msg) break;
        if (decide(msg, channel) === 'remove') {
          await channel.waitForConfirms();
          channel.ack(msg);
        } else {
          held.push(msg);
        }
      }
      return messageCount;
    } finally {
      // Requeued messages go back to the head of the queue in their original order.
      for (const msg of held) channel.nack(msg, false, true);
      await channel.close().catch(() => undefined);
    }
  }
}

function letterId(msg: GetMessage): string {
  const headers = (msg.properties.headers ?? {}) as Record<string, unknown>;
  return String(msg.properties.messageId ?? headers['x-dead-letter-id'] ?? '');
}

function text(value: unknown, fallback = ''): string {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : fallback;
}

function toDeadLetter(msg: GetMessage, withMessage: boolean): DeadLetter {
  const headers = (msg.properties.headers ?? {}) as Record<string, unknown>;
  const handlers = headers['x-handlers'];
  const attempts = Number(headers['x-attempt']);
  return {
    id: letterId(msg),
    type: text(msg.properties.type),
    handlers: Array.isArray(handlers) ? handlers.filter((h): h is string => typeof h === 'string').slice(0, 100) : [],
    error: text(headers['x-error'], deathReason(headers)),
    attempts: Number.isSafeInteger(attempts) ? attempts : 0,
    deadAt: text(headers['x-dead-at']),
    message: withMessage ? parseBody(msg.content.toString('utf8')) : undefined,
  };
}

/** The reason the broker gives when it dead-lettered the message itself (a rejected delivery). */
function deathReason(headers: Record<string, unknown>): string {
  const [death] = Array.isArray(headers['x-death']) ? (headers['x-death'] as { reason?: unknown; queue?: unknown }[]) : [];
  return death ? `rejected by the consumer of ${text(death.queue)} (${text(death.reason)}): it could not be settled otherwise` : '';
}
