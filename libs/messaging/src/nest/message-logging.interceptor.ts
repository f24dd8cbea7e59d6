import { CallHandler, ExecutionContext, Injectable, Logger, NestInterceptor } from '@nestjs/common';
import { Observable, tap } from 'rxjs';
import { describeFailure } from '../transport/dead-letter';
import { MessageContext } from './message.context';

/**
 * One log line per handled message, with its type, handler, message id and its correlation and
 * causation ids: debug when it succeeded, warn when it failed. The ids are also in the request
 * context the server runs the whole delivery in (guards, pipes, handler, inbox), so every other
 * line the handler logs carries them too.
 */
@Injectable()
export class MessageLoggingInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Messages');

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const message = context.getType() === 'rpc' ? context.switchToRpc().getContext<unknown>() : undefined;
    if (!(message instanceof MessageContext)) return next.handle();
    const envelope = message.getEnvelope();
    const fields = {
      type: envelope.type,
      handler: message.getHandlerName(),
      messageId: envelope.id,
      correlationId: envelope.correlationId,
      ...(envelope.causationId ? { causationId: envelope.causationId } : {}),
    };
    const started = performance.now();
    const ms = () => Math.round((performance.now() - started) * 1000) / 1000;
    return next.handle().pipe(
      tap({
        complete: () => this.logger.debug({ msg: 'message handled', ...fields, ms: ms() }),
        error: (error: unknown) => this.logger.warn({ msg: 'message handler failed', ...fields, ms: ms(), error: describeFailure(error) }),
      }),
    );
  }
}
