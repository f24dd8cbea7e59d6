import { ErrorKind, ErrorPayload } from './error-kind';

/** Base of every expected failure; identified by a stable `code` such as `CATALOG.OUT_OF_STOCK`. */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    readonly kind: ErrorKind,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'DomainError';
  }

  /** The serialisable form carried in replies. */
  toPayload(): ErrorPayload {
    return { code: this.code, kind: this.kind, message: this.message, ...(this.details === undefined ? {} : { details: this.details }) };
  }

  /** Rebuilds an error received from another process. */
  static fromPayload(payload: ErrorPayload): DomainError {
    return new DomainError(payload.code, payload.kind, payload.message, payload.details);
  }
}
