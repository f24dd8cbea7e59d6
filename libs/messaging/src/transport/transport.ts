import type { DeadLetterStore, DeliveryStep } from './dead-letter';

/** The receiving side a transport hands raw messages to. */
export interface InboundHandler {
  /** Runs the owner of a command or query; resolves to a serialised reply, never rejects. */
  handleRequest(raw: string): Promise<string>;
  /** Delivers an event to one subscribing handler; rejects when the handler failed. */
  handleEvent(raw: string, handlerName: string): Promise<void>;
  /** Told what the transport decided for an event after its handlers ran (retry, DLQ), for metrics. */
  settled?(type: string, handlers: readonly string[], step: DeliveryStep): void;
}

/** What this process handles: command and query types, and event subscriptions by handler. */
export interface HostedHandlers {
  requests: { type: string; kind: 'command' | 'query' }[];
  events: { type: string; handlerName: string }[];
}

/** Carries serialised messages between processes (or within one). */
export interface Transport extends DeadLetterStore {
  readonly name: string;
  /**
   * Both ends of a request are this process, with the same contracts (the in-process transport).
   * The bus then checks a request's payload once, on receipt (the handler's contract pipe), and its
   * result once, where the handler answers, instead of again on the caller's side: the same schema
   * over the same data, once per hop. Across processes (RabbitMQ) the other end may run another
   * version, and both sides check.
   */
  readonly sharesContracts?: boolean;
  start(inbound: InboundHandler, hosted: HostedHandlers): Promise<void>;
  /**
   * Sends a command or query and resolves to its serialised reply. Rejects with kind `timeout`
   * when no reply came within `timeoutMs`, or `unavailable` as soon as the transport knows that
   * nobody takes the message (see docs/adr/0020-failfast-within-one-deadline.md).
   */
  request(type: string, raw: string, timeoutMs: number, kind?: 'command' | 'query'): Promise<string>;
  /** Resolves once the transport has durably taken the event (a broker confirm, in rmq mode). */
  publish(type: string, raw: string): Promise<void>;
  /** Whether messages can flow now (the broker connection is up). */
  isConnected(): boolean;
  /** Why deliveries are not flowing although connected (a stopped consumer, a stuck delivery), or undefined. */
  consumerProblem(): string | undefined;
  /** Stops taking new deliveries and resolves once those in progress have finished. */
  drain(): Promise<void>;
  close(): Promise<void>;
}

/** Nest injection token for the configured Transport. */
export const TRANSPORT = Symbol('TRANSPORT');
