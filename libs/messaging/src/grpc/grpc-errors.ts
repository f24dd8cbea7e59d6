import { DomainError, ErrorKind, ErrorPayload, errorPayloadSchema } from '@commerce/contracts';
import { Metadata, status as Status, type ServiceError } from '@grpc/grpc-js';
import { MessagingErrorCode } from '../bus/messaging.errors';

/** Trailing metadata that carries our error itself (code, kind, message, details) as JSON. */
export const ERROR_METADATA = 'commerce-error-bin';

const STATUS_OF_KIND: Record<ErrorKind, Status> = {
  invalid: Status.INVALID_ARGUMENT,
  unauthorized: Status.UNAUTHENTICATED,
  forbidden: Status.PERMISSION_DENIED,
  'not-found': Status.NOT_FOUND,
  conflict: Status.FAILED_PRECONDITION,
  unavailable: Status.UNAVAILABLE,
  timeout: Status.DEADLINE_EXCEEDED,
  internal: Status.INTERNAL,
};

/** Kinds of a status that arrived without our error (from the channel itself, a proxy, or another server). */
const KIND_OF_STATUS: Partial<Record<Status, ErrorKind>> = {
  [Status.INVALID_ARGUMENT]: 'invalid',
  [Status.OUT_OF_RANGE]: 'invalid',
  [Status.UNAUTHENTICATED]: 'unauthorized',
  [Status.PERMISSION_DENIED]: 'forbidden',
  [Status.NOT_FOUND]: 'not-found',
  [Status.ALREADY_EXISTS]: 'conflict',
  [Status.FAILED_PRECONDITION]: 'conflict',
  [Status.ABORTED]: 'conflict',
  [Status.UNAVAILABLE]: 'unavailable',
  [Status.RESOURCE_EXHAUSTED]: 'unavailable',
  [Status.CANCELLED]: 'unavailable',
  [Status.UNIMPLEMENTED]: 'unavailable',
  [Status.DEADLINE_EXCEEDED]: 'timeout',
};

/** The status and trailing metadata that answer a failed query: the status says the kind, the metadata the error. */
export function toGrpcError(error: ErrorPayload): { code: Status; details: string; metadata: Metadata } {
  const metadata = new Metadata();
  metadata.set(ERROR_METADATA, Buffer.from(JSON.stringify(error)));
  return { code: STATUS_OF_KIND[error.kind], details: error.message, metadata };
}

/**
 * The error a failed call stands for: ours when the server sent it, else one of the status's kind.
 * A deadline that passed is the bus's timeout, an unreachable server or an unknown rpc is unavailable,
 * as on the other transports, so callers (retries, breakers, order deadlines) treat them alike.
 * Messages name no address and repeat no channel text: they may reach an HTTP client.
 */
export function fromGrpcError(error: ServiceError, call: { type: string; timeoutMs: number }): DomainError {
  const sent = error.metadata?.get(ERROR_METADATA)[0];
  if (sent !== undefined) {
    const parsed = errorPayloadSchema.safeParse(safeJson(Buffer.isBuffer(sent) ? sent.toString('utf8') : sent));
    if (parsed.success) return DomainError.fromPayload(parsed.data);
  }
  switch (error.code) {
    case Status.DEADLINE_EXCEEDED:
      return new DomainError(MessagingErrorCode.TIMEOUT, 'timeout', `${call.type} got no reply within ${call.timeoutMs} ms`);
    case Status.UNIMPLEMENTED:
      return new DomainError(MessagingErrorCode.NO_HANDLER, 'unavailable', `No service handles ${call.type} over gRPC`);
    case Status.UNAVAILABLE:
      return new DomainError(MessagingErrorCode.UNAVAILABLE, 'unavailable', `No reply to ${call.type}: its service is not reachable over gRPC`);
    default:
      return new DomainError(`GRPC.${Status[error.code] ?? 'UNKNOWN'}`, KIND_OF_STATUS[error.code] ?? 'internal', `${call.type} failed over gRPC`);
  }
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}
