import { Logger } from '@nestjs/common';
import { CustomTransportStrategy, MessageHandler, Server } from '@nestjs/microservices';
import { DomainError, errorPayloadSchema, MessageContract } from '@commerce/contracts';
import { MetricsRegistry } from '@commerce/platform';
import { isObservable, lastValueFrom } from 'rxjs';
import { MessageDispatcher } from '../bus/message-dispatcher';
import { MessagingMetrics } from '../bus/messaging.metrics';
import { HandlerRegistration, HandlerRegistry } from '../handlers/handler-registry';
import { Transport } from '../transport/transport';
import { HandlerExtras } from './handles.decorator';
import { contractsByType } from './known-contracts';
import { MessageContext } from './message.context';

/** Nest's transport id of the commerce transporters: `@MessagePattern(type, COMMERCE_TRANSPORT)` pins a handler to them. */
export const COMMERCE_TRANSPORT = Symbol('commerce-messaging');

/** What the server serves Nest's handlers on. */
export interface MessagingServerOptions {
  /** The in-process or RabbitMQ transport (`createTransport(config, service)`); the server starts and closes it. */
  transport: Transport;
  /** Where the handler metrics go (`commerce_messages_*`); none when omitted. */
  metrics?: MetricsRegistry;
  /** Contracts of bare `@MessagePattern(type)` handlers beyond those of `@commerce/contracts`. */
  contracts?: readonly MessageContract[];
  /** Handlers served beside Nest's, outside any controller (the outbox backlog query). */
  handlers?: readonly HandlerRegistration[];
  /** The registry to fill: the messaging module's, which the request router and the gRPC controller read; a new one when omitted. */
  registry?: HandlerRegistry;
  /** Whether `close` also closes the transport (default true); the messaging module closes it itself, after its outbox relay. */
  closesTransport?: boolean;
}

/**
 * The server side of the commerce transporters (`{ strategy: new MessagingServer(...) }`): serves
 * the handlers Nest registered for `@MessagePattern` and `@EventPattern` on our transport, through
 * the bus's dispatch path: envelope parsing, the contract found by pattern (= message type), the
 * request context (correlation and causation ids, the handler name the inbox keys on), the
 * consumer span, the handler metrics and the reply check. Each event handler is a subscriber of
 * its own, as on the bus: it is retried and dead-lettered alone, and its inbox row carries its name.
 */
export class MessagingServer extends Server implements CustomTransportStrategy {
  /** Event failures are the transport's (retry, DLQ), not Nest's to log as unhandled. */
  override readonly propagatesEventHandlerErrors = true;
  private readonly eventHandlers = new Map<string, MessageHandler[]>();
  private readonly log = new Logger(MessagingServer.name);

  constructor(private readonly options: MessagingServerOptions) {
    super();
    this.transportId = COMMERCE_TRANSPORT;
  }

  /** Commands and queries have one owner; each event handler is kept apart instead of chained behind the first. */
  override addHandler(pattern: unknown, callback: MessageHandler, isEventHandler = false, extras: Record<string, unknown> = {}): void {
    const route = this.normalizePattern(pattern as string);
    callback.isEventHandler = isEventHandler;
    callback.extras = extras;
    if (isEventHandler) {
      this.eventHandlers.set(route, [...(this.eventHandlers.get(route) ?? []), callback]);
      return;
    }
    if (this.messageHandlers.has(route)) throw new Error(`${route} already has a handler; commands and queries have one owner`);
    this.messageHandlers.set(route, callback);
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      const registry = this.fillRegistry();
      const metrics = this.options.metrics && new MessagingMetrics(this.options.metrics);
      const transport = this.options.transport;
      await transport.start(new MessageDispatcher(registry, metrics, transport.name), registry.hosted());
      this._status$.next('listening');
      this.log.log({ msg: 'message handlers served', transport: transport.name, handles: registry.types().length });
      callback();
    } catch (error) {
      callback(error);
    }
  }

  /** Stops taking deliveries, lets those in progress finish, then closes the transport (unless told not to). */
  async close(): Promise<void> {
    await this.options.transport.drain();
    if (this.options.closesTransport ?? true) await this.options.transport.close();
    this._status$.next('closed');
  }

  on(): never {
    throw new Error('MessagingServer emits no events: its state is in `status`, readiness and the logs');
  }

  /** The transport, also the dead-letter store of this service. */
  unwrap<T>(): T {
    return this.options.transport as T;
  }

  private fillRegistry(): HandlerRegistry {
    const registry = this.options.registry ?? new HandlerRegistry();
    const contracts = contractsByType(this.options.contracts);
    for (const [route, handler] of this.messageHandlers) registry.add(this.registration(contracts, route, handler, route));
    for (const [route, handlers] of this.eventHandlers) {
      handlers.forEach((handler, index) => registry.add(this.registration(contracts, route, handler, `${route}#${index + 1}`)));
    }
    for (const handler of this.options.handlers ?? []) registry.add(handler);
    return registry;
  }

  private registration(contracts: Map<string, MessageContract>, route: string, handler: MessageHandler, fallbackName: string): HandlerRegistration {
    const extras = (handler.extras ?? {}) as Partial<HandlerExtras>;
    const contract = extras.contract ?? contracts.get(route);
    if (!contract)
      throw new Error(`No message contract has the type "${route}": declare the handler with @Handles(contract), or pass the contract in contracts`);
    if ((contract.kind === 'event') !== Boolean(handler.isEventHandler)) {
      throw new Error(`${route} is ${contract.kind === 'event' ? 'an event: use @EventPattern' : `a ${contract.kind}: use @MessagePattern`}`);
    }
    const name = extras.handler ?? fallbackName;
    return {
      contract,
      name,
      validatesPayload: extras.validation === 'pipe',
      fn: (payload, envelope) => this.invoke(handler, new MessageContext([envelope, contract, name]), payload),
    };
  }

  /** Whether someone set Nest's processing hooks (`setOnProcessingStartHook` / `…EndHook`); without them a delivery skips their wrapping. */
  private hooked = false;

  override setOnProcessingStartHook(...args: Parameters<Server['setOnProcessingStartHook']>): void {
    this.hooked = true;
    super.setOnProcessingStartHook(...args);
  }

  override setOnProcessingEndHook(...args: Parameters<Server['setOnProcessingEndHook']>): void {
    this.hooked = true;
    super.setOnProcessingEndHook(...args);
  }

  /** Runs Nest's handler (guards, interceptors, pipes, the method, filters), between Nest's processing hooks when any are set. */
  private invoke(handler: MessageHandler, context: MessageContext, payload: unknown): Promise<unknown> {
    // Every message takes this path: one continuation, not a promise per wrapping layer.
    // A failure arrives as a rejection or, past Nest's exception filters, as a stream that errors.
    if (!this.hooked) return handler(payload, context).then(typedLastValue, rejectTyped);
    return new Promise((resolve, reject) => {
      this.runWithProcessingHooks(context, async (end) => {
        try {
          resolve(await lastValue(await handler(payload, context)));
        } catch (error) {
          reject(typedError(error));
        } finally {
          end();
        }
      });
    });
  }
}

/** A handler's answer: its value, or the last value of the stream it returned. */
function lastValue(result: unknown): unknown {
  return isObservable(result) ? lastValueFrom(result, { defaultValue: undefined }) : result;
}

/** lastValue, with a stream's failure typed as well: one continuation for the common case of a plain value. */
function typedLastValue(result: unknown): unknown {
  return isObservable(result) ? lastValueFrom(result, { defaultValue: undefined }).catch(rejectTyped) : result;
}

function rejectTyped(error: unknown): Promise<never> {
  return Promise.reject(typedError(error));
}

/** A failure as the dispatch path knows it: the wire form DomainErrorFilter made becomes a DomainError again. */
function typedError(error: unknown): unknown {
  if (error instanceof Error) return error;
  const payload = errorPayloadSchema.safeParse(error);
  if (payload.success) return DomainError.fromPayload(payload.data);
  // Nest's own filter answers `{ status: 'error', message }` (it logged the cause itself).
  const message = (error as { message?: unknown })?.message;
  return new Error(typeof message === 'string' ? message : String(error));
}
