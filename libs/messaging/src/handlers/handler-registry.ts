import { Envelope, MessageContract } from '@commerce/contracts';
import type { HostedHandlers } from '../transport/transport';

/** A function that handles one validated message. */
export type HandlerFn = (payload: unknown, envelope: Envelope) => Promise<unknown>;

/** One registered handler, named `<Class>.<method>` so inboxes and logs can tell them apart. */
export interface HandlerRegistration {
  contract: MessageContract;
  name: string;
  fn: HandlerFn;
  /** The handler checks the payload against the contract itself (a Nest pipe); the dispatcher passes it on as received. */
  validatesPayload?: boolean;
}

/** Which handlers this process hosts, by message type. */
export class HandlerRegistry {
  private readonly byType = new Map<string, HandlerRegistration[]>();

  add(registration: HandlerRegistration): void {
    const existing = this.byType.get(registration.contract.type) ?? [];
    if (registration.contract.kind !== 'event' && existing.length > 0) {
      throw new Error(`${registration.contract.type} already has a handler (${existing[0].name}); commands and queries have one owner`);
    }
    this.byType.set(registration.contract.type, [...existing, registration]);
  }

  handlersFor(type: string): readonly HandlerRegistration[] {
    return this.byType.get(type) ?? [];
  }

  /** The registration of a handler by its `<Class>.<method>` name. */
  byName(name: string): HandlerRegistration | undefined {
    for (const list of this.byType.values()) for (const registration of list) if (registration.name === name) return registration;
    return undefined;
  }

  types(): string[] {
    return [...this.byType.keys()];
  }

  /** What a transport consumes for these handlers: command and query types, and event subscriptions by handler. */
  hosted(): HostedHandlers {
    const all = [...this.byType.values()].flat();
    return {
      requests: all.filter((h) => h.contract.kind !== 'event').map((h) => ({ type: h.contract.type, kind: h.contract.kind as 'command' | 'query' })),
      events: all.filter((h) => h.contract.kind === 'event').map((h) => ({ type: h.contract.type, handlerName: h.name })),
    };
  }
}
