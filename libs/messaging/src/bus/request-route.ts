import type { Envelope } from '@commerce/contracts';
import { HandlerRegistry } from '../handlers/handler-registry';

/** Carries some request types past the transport (a context's queries over gRPC); the bus asks it first. */
export interface RequestRoute {
  /** The messaging system the requests go over, for spans and logs. */
  readonly name: string;
  /** The message types it carries. */
  readonly types: readonly string[];
  /** Where it sends them, for logs. */
  readonly target: string;
  /** Sends one request; resolves to its reply (`{ ok: true, result }`), rejects with a DomainError when it failed. */
  request(envelope: Envelope, timeoutMs: number): Promise<unknown>;
  close(): Promise<void>;
}

/** Nest injection token for this process's request routes. */
export const REQUEST_ROUTES = Symbol('REQUEST_ROUTES');

/**
 * Picks the route of a request type. A process that hosts the handler itself (the monolith, or the
 * owning service) answers on its transport, so one environment can configure every process alike.
 */
export class RequestRouter {
  private readonly byType = new Map<string, RequestRoute>();

  constructor(
    readonly routes: readonly RequestRoute[],
    private readonly registry: HandlerRegistry,
  ) {
    for (const route of routes) for (const type of route.types) this.byType.set(type, route);
  }

  routeFor(type: string): RequestRoute | undefined {
    const route = this.byType.get(type);
    return route && this.registry.handlersFor(type).length === 0 ? route : undefined;
  }

  /** The routes in use once this process's handlers are known: those that carry a type it does not host. */
  active(): RequestRoute[] {
    return this.routes.filter((r) => r.types.some((t) => this.routeFor(t) === r));
  }

  async close(): Promise<void> {
    await Promise.all(this.routes.map((r) => r.close()));
  }
}
