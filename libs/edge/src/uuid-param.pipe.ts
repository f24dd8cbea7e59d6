import { ParseUUIDPipe } from '@nestjs/common';
import { RequestValidationError } from '@commerce/platform';

/** Validates an `:id` path parameter as a UUID; anything else is a 400 naming the field. */
export const uuidParam = new ParseUUIDPipe({ exceptionFactory: () => new RequestValidationError([{ path: 'id', message: 'id must be a UUID' }]) });
