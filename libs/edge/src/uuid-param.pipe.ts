import { ParseUUIDPipe } from '@nestjs/common';
import { RequestValidationError } from '@commerce/platform';

const invalidId = () => new RequestValidationError([{ path: 'id', message: 'id must be a UUID' }]);

/**
 * ParseUUIDPipe's check (any RFC 9562 version, nil and max), answered synchronously: ParseUUIDPipe's
 * `transform` is async, a promise per request on every `/:id` route. Anything else is a 400 naming the field.
 */
class UuidParamPipe extends ParseUUIDPipe {
  constructor() {
    super({ exceptionFactory: invalidId });
  }

  // ParseUUIDPipe's `transform` returns a promise; Nest awaits whatever a pipe returns.
  override transform(value: unknown): Promise<string> {
    if (typeof value !== 'string' || !this.isUUID(value)) throw invalidId();
    return value as unknown as Promise<string>;
  }
}

/** Validates an `:id` path parameter as a UUID; anything else is a 400 naming the field. */
export const uuidParam = new UuidParamPipe();
