import { Logger } from '@nestjs/common';
import { DomainError } from '@commerce/contracts';
import { MessagingErrorCode } from '../bus/messaging.errors';
import { InboundHandler, Transport } from './transport';

/**
 * Delivers messages inside one process, but as a network would: serialised strings in,
 * serialised strings out, events delivered asynchronously after the publisher moves on.
 */
export class InProcessTransport implements Transport {
  readonly name = 'in-process';
  private inbound?: InboundHandler;
  private subscriptions = new Map<string, string[]>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly logger = new Logger(InProcessTransport.name);

  async start(inbound: InboundHandler, hosted: { events: { type: string; handlerName: string }[] }): Promise<void> {
    this.inbound = inbound;
    this.subscriptions = new Map();
    for (const { type, handlerName } of hosted.events) {
      this.subscriptions.set(type, [...(this.subscriptions.get(type) ?? []), handlerName]);
    }
  }

  async request(type: string, raw: string, timeoutMs: number): Promise<string> {
    const inbound = this.requireStarted();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new DomainError(MessagingErrorCode.TIMEOUT, 'timeout', `${type} got no reply within ${timeoutMs} ms`)), timeoutMs);
    });
    const work = this.track(new Promise<string>((resolve) => setImmediate(() => resolve(inbound.handleRequest(raw)))));
    try {
      return await Promise.race([work, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async publish(type: string, raw: string): Promise<void> {
    const inbound = this.requireStarted();
    for (const handlerName of this.subscriptions.get(type) ?? []) {
      const delivery = new Promise<void>((resolve) => setImmediate(resolve)).then(() => inbound.handleEvent(raw, handlerName));
      this.track(
        delivery.catch((error: unknown) => {
          this.logger.error({ msg: 'event handler failed', type, handler: handlerName, err: error });
        }),
      );
    }
  }

  /** Resolves once every delivery started so far (and any they started) has finished. */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  async close(): Promise<void> {
    await this.drain();
    this.inbound = undefined;
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.inFlight.add(promise);
    const forget = () => this.inFlight.delete(promise);
    promise.then(forget, forget);
    return promise;
  }

  private requireStarted(): InboundHandler {
    if (!this.inbound) throw new DomainError(MessagingErrorCode.NO_HANDLER, 'unavailable', 'The message bus is not started');
    return this.inbound;
  }
}
