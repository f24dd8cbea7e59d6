import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DomainError, Envelope, MessageContract, PayloadOf, replySchema, ResultOf } from '@commerce/contracts';
import { captureTraceContext, isTracing, PLATFORM_CONFIG, PlatformConfig, RequestContext } from '@commerce/platform';
import { Transport, TRANSPORT } from '../transport/transport';
import { inProducerSpan } from './message-spans';
import { RequestRouter } from './request-route';
import { describeIssues, invalidMessage, MessagingErrorCode } from './messaging.errors';

/** Per-call options. */
export interface SendOptions {
  /** How long the call may take, from now to the reply; a caller that retries passes what is left of its deadline. */
  timeoutMs?: number;
}

/** The only way a module reaches another: publish events, send commands, request queries. */
@Injectable()
export class MessageBus {
  /**
   * Whether the caller checks its requests too. Not in process (`Transport.sharesContracts`): there
   * the handler's side checks the payload on receipt and the result before it answers.
   */
  private readonly callerChecks: boolean;

  constructor(
    @Inject(TRANSPORT) private readonly transport: Transport,
    @Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig,
    private readonly router: RequestRouter,
  ) {
    this.callerChecks = transport.sharesContracts !== true;
  }

  /** Announces an event to every subscriber; resolves once the transport has taken it. */
  async publish<C extends MessageContract<'event'>>(contract: C, payload: PayloadOf<C>): Promise<void> {
    await inProducerSpan(this.transport.name, contract.type, () => this.transport.publish(contract.type, this.serialise(contract, payload)));
  }

  /** Asks the owner of a command to carry it out and returns its reply. */
  send<C extends MessageContract<'command'>>(contract: C, payload: PayloadOf<C>, options?: SendOptions): Promise<ResultOf<C>> {
    return this.call(contract, payload, options);
  }

  /** Asks the owner of a query and returns its answer. */
  request<C extends MessageContract<'query'>>(contract: C, payload: PayloadOf<C>, options?: SendOptions): Promise<ResultOf<C>> {
    return this.call(contract, payload, options);
  }

  /** One continuation after the transport's reply, not an async function: every request takes this path. */
  private call<C extends MessageContract>(contract: C, payload: unknown, options?: SendOptions): Promise<ResultOf<C>> {
    const timeoutMs = options?.timeoutMs ?? this.config.BUS_REQUEST_TIMEOUT_MS;
    const route = this.router.routeFor(contract.type);
    // The envelope is built inside the span, so the trace context it carries is the span's.
    if (route) {
      return inProducerSpan(route.name, contract.type, () => route.request(this.envelope(contract, payload), timeoutMs)).then((answer) =>
        this.result(contract, answer),
      );
    }
    return inProducerSpan(this.transport.name, contract.type, () =>
      this.transport.request(
        contract.type,
        JSON.stringify(this.callerChecks ? this.envelope(contract, payload) : this.wrap(contract, payload)),
        timeoutMs,
        contract.kind === 'event' ? undefined : contract.kind,
      ),
    ).then((raw) => (this.callerChecks ? this.result(contract, safeJson(raw)) : (this.replied(contract, safeJson(raw)) as ResultOf<C>)));
  }

  /** The handler's result from its reply, unchecked; its DomainError when it failed. */
  private replied(contract: MessageContract, answer: unknown): unknown {
    const reply = replySchema.safeParse(answer);
    if (!reply.success) throw new DomainError(MessagingErrorCode.INVALID_REPLY, 'internal', `${contract.type} got a malformed reply`);
    if (!reply.data.ok) throw DomainError.fromPayload(reply.data.error);
    return reply.data.result;
  }

  /** The handler's result from its reply, checked against the contract; its DomainError when it failed. */
  private result<C extends MessageContract>(contract: C, answer: unknown): ResultOf<C> {
    const result = contract.resultSchema.safeParse(this.replied(contract, answer));
    if (!result.success) {
      throw new DomainError(MessagingErrorCode.INVALID_REPLY, 'internal', `${contract.type} reply breaks its contract`, describeIssues(result.error));
    }
    return result.data as ResultOf<C>;
  }

  private serialise(contract: MessageContract, payload: unknown): string {
    return JSON.stringify(this.envelope(contract, payload));
  }

  /** Validates the payload and wraps it in an envelope carrying the ambient correlation and trace context. */
  envelope(contract: MessageContract, payload: unknown): Envelope {
    const checked = contract.schema.safeParse(payload);
    if (!checked.success) throw invalidMessage(contract.type, checked.error);
    return this.wrap(contract, checked.data);
  }

  /** The envelope around a payload as it is: the ambient correlation and trace context, no check. */
  private wrap(contract: MessageContract, payload: unknown): Envelope {
    const ctx = RequestContext.current();
    // Built field by field in the wire order (no spread objects per message): the optional fields only when present.
    const envelope = {
      id: randomUUID(),
      type: contract.type,
      kind: contract.kind,
      correlationId: ctx?.correlationId ?? ctx?.requestId ?? randomUUID(),
    } as Envelope;
    if (ctx?.causationId) envelope.causationId = ctx.causationId;
    envelope.timestamp = new Date().toISOString();
    if (isTracing()) {
      const { traceparent, tracestate } = captureTraceContext();
      if (traceparent) envelope.traceparent = traceparent;
      if (tracestate) envelope.tracestate = tracestate;
    }
    envelope.payload = payload;
    return envelope;
  }
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}
