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

/** The issues of a failed schema check, in a form safe to return to callers. */
export function describeIssues(error: ZodError): { path: string; message: string }[] {
  return error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
}

/** A payload that does not satisfy its contract's schema. */
export function invalidMessage(type: string, error: ZodError): DomainError {
  return new DomainError(MessagingErrorCode.INVALID_MESSAGE, 'invalid', `Invalid ${type} payload`, describeIssues(error));
}
