import { Logger } from '@nestjs/common';
import { DomainError, Envelope, envelopeSchema, ErrorPayload, Reply } from '@commerce/contracts';
import { RequestContext, restoreTraceContext } from '@commerce/platform';
import { HandlerRegistration, HandlerRegistry } from '../handlers/handler-registry';
import { InboundHandler } from '../transport/transport';
import { DeliveryStep } from '../transport/dead-letter';
import { describeIssues, invalidMessage, MessagingErrorCode } from './messaging.errors';
import { inConsumerSpan } from './message-spans';
import { MessagingMetrics, UNKNOWN } from './messaging.metrics';

/** The receiving side: parses, validates, runs the handler in the message's context, validates the reply. */
export class MessageDispatcher implements InboundHandler {
  private readonly logger = new Logger(MessageDispatcher.name);

  constructor(
    private readonly registry: HandlerRegistry,
    private readonly metrics?: MessagingMetrics,
    /** The transport's name, for the messaging.system of consumer spans. */
    private readonly system = 'in-process',
  ) {}

  handleRequest(raw: string): Promise<string> {
    return this.answer(() => this.parse(raw)).then(serialiseReply);
  }

  /** Answers a request that arrived already parsed (over gRPC, its envelope rebuilt from metadata); never rejects. */
  answerEnvelope(message: unknown): Promise<Reply> {
    return this.answer(() => this.validate(message));
  }

  async handleEvent(raw: string, handlerName: string): Promise<void> {
    const end = this.metrics?.start(this.registry.byName(handlerName)?.contract.type ?? UNKNOWN, handlerName);
    try {
      const envelope = this.parse(raw);
      const handler = this.registry.handlersFor(envelope.type).find((h) => h.name === handlerName);
      if (!handler) throw new DomainError(MessagingErrorCode.NO_HANDLER, 'unavailable', `No handler ${handlerName} for ${envelope.type}`);
      await this.run(handler, envelope);
      end?.(false);
    } catch (error) {
      end?.(true);
      throw error;
    }
  }

  settled(type: string, handlers: readonly string[], step: DeliveryStep): void {
    this.metrics?.delivered(this.registry.handlersFor(type).length > 0 ? type : UNKNOWN, handlers, step);
  }

  /** Never rejects: a failure is an error reply. A chain of continuations, not an async function: every request takes this path. */
  private answer(read: () => Envelope): Promise<Reply> {
    let end: ((failed: boolean) => void) | undefined;
    try {
      const envelope = read();
      const [handler] = this.registry.handlersFor(envelope.type);
      if (!handler || handler.contract.kind === 'event') {
        throw new DomainError(MessagingErrorCode.NO_HANDLER, 'unavailable', `No handler for ${envelope.type} in this process`);
      }
      end = this.metrics?.start(envelope.type, handler.name);
      const ended = end;
      return this.run(handler, envelope).then(
        (result) => {
          try {
            return this.checkedReply(handler, envelope, result, ended);
          } catch (error) {
            return this.failedReply(error, ended);
          }
        },
        (error: unknown) => this.failedReply(error, ended),
      );
    } catch (error) {
      return Promise.resolve(this.failedReply(error, end));
    }
  }

  private checkedReply(handler: HandlerRegistration, envelope: Envelope, result: unknown, end: ((failed: boolean) => void) | undefined): Reply {
    const checked = handler.contract.resultSchema.safeParse(result);
    if (!checked.success) {
      this.logger.error({ msg: 'handler returned a reply that breaks its contract', type: envelope.type, issues: describeIssues(checked.error) });
      throw new DomainError(MessagingErrorCode.INVALID_REPLY, 'internal', `${envelope.type} produced an invalid reply`);
    }
    end?.(false);
    return { ok: true, result: checked.data };
  }

  private failedReply(error: unknown, end: ((failed: boolean) => void) | undefined): Reply {
    (end ?? this.metrics?.start(UNKNOWN, UNKNOWN))?.(true);
    return { ok: false, error: this.toErrorPayload(error) };
  }

  private parse(raw: string): Envelope {
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      throw new DomainError(MessagingErrorCode.INVALID_MESSAGE, 'invalid', 'Message is not valid JSON');
    }
    return this.validate(json);
  }

  private validate(json: unknown): Envelope {
    const envelope = envelopeSchema.safeParse(json);
    if (!envelope.success) {
      throw new DomainError(MessagingErrorCode.INVALID_MESSAGE, 'invalid', 'Message envelope is malformed', describeIssues(envelope.error));
    }
    return envelope.data as Envelope;
  }

  /** Not async: the handler's promise is returned as is (a throw before it reaches the caller's try as one). */
  private run(handler: HandlerRegistration, envelope: Envelope): Promise<unknown> {
    const payload = handler.validatesPayload ? { success: true as const, data: envelope.payload } : handler.contract.schema.safeParse(envelope.payload);
    if (!payload.success) throw invalidMessage(envelope.type, payload.error);
    const context = { correlationId: envelope.correlationId, causationId: envelope.id, messageType: envelope.type, handlerName: handler.name };
    // A handler whose pipe validates gets the envelope as parsed (its payload is the one it checks); otherwise the checked payload in a copy.
    const received = payload.data === envelope.payload ? envelope : { ...envelope, payload: payload.data };
    return inConsumerSpan(this.system, envelope, handler.name, restoreTraceContext(envelope), () =>
      RequestContext.run(context, () => handler.fn(payload.data, received)),
    );
  }

  private toErrorPayload(error: unknown): ErrorPayload {
    if (error instanceof DomainError) return error.toPayload();
    this.logger.error({ msg: 'message handler failed', err: error });
    return { code: MessagingErrorCode.INTERNAL, kind: 'internal', message: 'Internal error' };
  }
}

function serialiseReply(reply: Reply): string {
  return JSON.stringify(reply);
}
