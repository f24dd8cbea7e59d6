/** The receiving side a transport hands raw messages to. */
export interface InboundHandler {
  /** Runs the owner of a command or query; resolves to a serialised reply, never rejects. */
  handleRequest(raw: string): Promise<string>;
  /** Delivers an event to one subscribing handler; rejects when the handler failed. */
  handleEvent(raw: string, handlerName: string): Promise<void>;
}

/** Carries serialised messages between processes (or within one). */
export interface Transport {
  readonly name: string;
  start(inbound: InboundHandler, hosted: { requests: string[]; events: { type: string; handlerName: string }[] }): Promise<void>;
  request(type: string, raw: string, timeoutMs: number): Promise<string>;
  publish(type: string, raw: string): Promise<void>;
  /** Resolves once deliveries in progress have finished. */
  drain(): Promise<void>;
  close(): Promise<void>;
}

/** Nest injection token for the configured Transport. */
export const TRANSPORT = Symbol('TRANSPORT');
