import { Logger } from '@nestjs/common';
import { DomainError } from '@commerce/contracts';
import { randomUUID } from 'node:crypto';
import { isPermanentFailure, MessagingErrorCode } from '../bus/messaging.errors';
import { DeadLetter, DeadLetterPage, DEAD_LETTER_PAGE, describeFailure, nextDeliveryStep, parseBody, summarise } from './dead-letter';
import { HostedHandlers, InboundHandler, Transport } from './transport';

/**
 * Delivers messages inside one process, but as a network would: serialised strings in and out,
 * events delivered asynchronously after the publisher moves on, failed event handlers retried on
 * the same schedule as the RabbitMQ transport and then parked in an in-memory dead-letter list.
 */
export class InProcessTransport implements Transport {
  readonly name = 'in-process';
  /** Caller and handler share the process and its contracts: the bus checks each request once per side it crosses (see Transport). */
  readonly sharesContracts = true;
  private inbound?: InboundHandler;
  private subscriptions = new Map<string, string[]>();
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Requests handed to the handler and not answered yet (counted, not tracked as promises: each request costs one promise). */
  private requestsInFlight = 0;
  /** What drain() waits on while requests are in flight, and its resolver: made only when someone drains. */
  private requestsDone?: { promise: Promise<void>; resolve: () => void };
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly deadLetters: (DeadLetter & { raw: string })[] = [];
  private readonly logger = new Logger(InProcessTransport.name);

  constructor(
    private readonly service: string,
    private readonly retryDelaysMs: number[],
  ) {}

  isConnected(): boolean {
    return this.inbound !== undefined;
  }

  consumerProblem(): string | undefined {
    return undefined; // deliveries are promises of this process: nothing can stop consuming them
  }

  async start(inbound: InboundHandler, hosted: HostedHandlers): Promise<void> {
    this.inbound = inbound;
    this.subscriptions = new Map();
    for (const { type, handlerName } of hosted.events) {
      this.subscriptions.set(type, [...(this.subscriptions.get(type) ?? []), handlerName]);
    }
  }

  request(type: string, raw: string, timeoutMs: number): Promise<string> {
    // One promise settled by the reply or the timer, whichever comes first (a throw in here rejects it): every query takes this path,
    // so the handler's work is counted (for drain) rather than tracked as a promise of its own, and the reply settles it directly.
    return new Promise<string>((resolve, reject) => {
      const inbound = this.requireStarted();
      const timer = setTimeout(() => reject(new DomainError(MessagingErrorCode.TIMEOUT, 'timeout', `${type} got no reply within ${timeoutMs} ms`)), timeoutMs);
      // The handler's work is counted (drained on close) whether or not the caller still waits for it.
      this.requestsInFlight++;
      const settle = () => {
        clearTimeout(timer);
        if (--this.requestsInFlight === 0 && this.requestsDone) {
          this.requestsDone.resolve();
          this.requestsDone = undefined;
        }
      };
      setImmediate(() => {
        let reply: Promise<string>;
        try {
          reply = inbound.handleRequest(raw);
        } catch (error) {
          settle();
          reject(error as Error);
          return;
        }
        reply.then(
          (answer) => (settle(), resolve(answer)),
          (error: unknown) => (settle(), reject(error as Error)),
        );
      });
    });
  }

  async publish(type: string, raw: string): Promise<void> {
    this.requireStarted();
    for (const handlerName of this.subscriptions.get(type) ?? []) this.deliver(type, raw, handlerName, 0);
  }

  private deliver(type: string, raw: string, handlerName: string, previousAttempts: number): void {
    const delivery = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.requireStarted().handleEvent(raw, handlerName));
    this.track(
      delivery.catch((error: unknown) => {
        const step = nextDeliveryStep(previousAttempts + 1, this.retryDelaysMs, isPermanentFailure(error));
        this.inbound?.settled?.(type, [handlerName], step);
        if (step.kind === 'retry') {
          this.logger.warn({
            msg: 'event handler failed; retrying',
            type,
            handler: handlerName,
            attempt: step.attempt,
            delayMs: step.delayMs,
            error: describeFailure(error),
          });
          const timer = setTimeout(() => {
            this.timers.delete(timer);
            this.deliver(type, raw, handlerName, step.attempt);
          }, step.delayMs);
          this.timers.add(timer);
        } else if (step.kind === 'dead') {
          this.logger.error({ msg: 'event parked in the dead-letter list', type, handler: handlerName, attempts: previousAttempts + 1 });
          this.deadLetters.push(this.toDeadLetter(type, raw, handlerName, error, previousAttempts + 1));
        }
      }),
    );
  }

  private toDeadLetter(type: string, raw: string, handler: string, error: unknown, attempts: number): DeadLetter & { raw: string } {
    const message = parseBody(raw);
    const id = (message as { id?: unknown })?.id;
    return {
      id: typeof id === 'string' ? id : randomUUID(),
      type,
      handlers: [handler],
      error: `${handler}: ${describeFailure(error)}`,
      attempts,
      deadAt: new Date().toISOString(),
      message,
      raw,
    };
  }

  async list(service: string, page: { offset: number; limit: number }): Promise<DeadLetterPage> {
    const offset = Math.min(Math.max(0, page.offset), DEAD_LETTER_PAGE.maxOffset);
    const limit = Math.min(Math.max(1, page.limit), DEAD_LETTER_PAGE.maxLimit);
    const letters = service === this.service ? this.deadLetters : [];
    const items = letters.slice(offset, offset + limit).map(({ raw, message: _message, ...letter }) => summarise(letter, raw));
    return { items, offset, limit, total: letters.length };
  }

  async get(service: string, id: string): Promise<DeadLetter | undefined> {
    const letter = service === this.service ? this.deadLetters.find((d) => d.id === id) : undefined;
    if (!letter) return undefined;
    const { raw: _raw, ...whole } = letter;
    return whole;
  }

  async replay(service: string, id: string): Promise<boolean> {
    const index = service === this.service ? this.deadLetters.findIndex((d) => d.id === id) : -1;
    if (index < 0) return false;
    const [letter] = this.deadLetters.splice(index, 1);
    for (const handler of letter.handlers) this.deliver(letter.type, letter.raw, handler, 0);
    return true;
  }

  async discard(service: string, id: string): Promise<boolean> {
    const index = service === this.service ? this.deadLetters.findIndex((d) => d.id === id) : -1;
    if (index >= 0) this.deadLetters.splice(index, 1);
    return index >= 0;
  }

  /** Resolves once every delivery started so far (and any they started) has finished; scheduled retries are not waited for. */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0 || this.requestsInFlight > 0) {
      await Promise.allSettled(this.requestsInFlight > 0 ? [...this.inFlight, this.requestsSettled()] : [...this.inFlight]);
    }
  }

  /** Resolves when no request is in flight any more. */
  private requestsSettled(): Promise<void> {
    if (!this.requestsDone) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.requestsDone = { promise, resolve };
    }
    return this.requestsDone.promise;
  }

  async close(): Promise<void> {
    await this.drain();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
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
