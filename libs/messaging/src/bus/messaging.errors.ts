import { DomainError } from '@commerce/contracts';
import type { ZodError } from 'zod';

/** Error codes raised by the messaging layer itself. */
export const MessagingErrorCode = {
  INVALID_MESSAGE: 'MESSAGING.INVALID_MESSAGE',
  INVALID_REPLY: 'MESSAGING.INVALID_REPLY',
  NO_HANDLER: 'MESSAGING.NO_HANDLER',
  NO_CONSUMER: 'MESSAGING.NO_CONSUMER',
  TIMEOUT: 'MESSAGING.TIMEOUT',
  UNAVAILABLE: 'MESSAGING.UNAVAILABLE',
  /** A Nest guard (or an RpcException) refused the message. */
  REJECTED: 'MESSAGING.REJECTED',
  INTERNAL: 'INTERNAL',
} as const;

/**
 * Whether an event handler's failure would fail the same way on every retry: the message could
 * not be read (`INVALID_MESSAGE`), or a guard (or an RpcException) refused it (`REJECTED`). Such a
 * delivery goes to the dead letters at once, with the reason, instead of through the retry queues.
 */
export function isPermanentFailure(error: unknown): boolean {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return code === MessagingErrorCode.INVALID_MESSAGE || code === MessagingErrorCode.REJECTED;
}

/** The issues of a failed schema check, in a form safe to return to callers. */
export function describeIssues(error: ZodError): { path: string; message: string }[] {
  return error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
}

/** A payload that does not satisfy its contract's schema. */
export function invalidMessage(type: string, error: ZodError): DomainError {
  return new DomainError(MessagingErrorCode.INVALID_MESSAGE, 'invalid', `Invalid ${type} payload`, describeIssues(error));
}
