import { ArgumentsHost, Catch, RpcExceptionFilter } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { DomainError, ErrorPayload, errorPayloadSchema } from '@commerce/contracts';
import { Observable, throwError } from 'rxjs';
import { MessagingErrorCode } from '../bus/messaging.errors';

/**
 * Keeps a handler's typed failure for the wire. Nest's default RPC filter turns every error but an
 * RpcException into `Internal server error`; this one maps a DomainError to its wire form
 * (`{code, kind, message, details}`), an RpcException (what Nest throws when a guard says no) to
 * `MESSAGING.REJECTED`, and lets any other error through untouched: the server hides it in a
 * reply (`INTERNAL`) and names it in a dead letter, as the bus always has.
 */
@Catch()
export class DomainErrorFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    return throwError(() => toWireError(exception));
  }
}

function toWireError(exception: unknown): unknown {
  if (exception instanceof DomainError) return exception.toPayload();
  if (!(exception instanceof RpcException)) return exception;
  const error = exception.getError();
  const payload = errorPayloadSchema.safeParse(error);
  if (payload.success) return payload.data satisfies ErrorPayload;
  const message = typeof error === 'string' ? error : exception.message;
  return new DomainError(MessagingErrorCode.REJECTED, 'forbidden', message).toPayload();
}
