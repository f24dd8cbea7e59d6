import { ArgumentMetadata, ValidationPipe } from '@nestjs/common';

/**
 * Nest's ValidationPipe, answering synchronously for the arguments it never validates (scalars and
 * untyped ones, such as a path id): they are only converted, as ValidationPipe converts them, but
 * without the promise its async `transform` makes for every argument of every request. Every DTO
 * goes through ValidationPipe itself, unchanged.
 */
export class RequestValidationPipe extends ValidationPipe {
  // ValidationPipe's `transform` returns a promise; Nest awaits whatever a pipe returns.
  override transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (!this.expectedType && (!metadata.metatype || !this.toValidate(metadata))) {
      return (this.isTransformEnabled ? this.transformPrimitive(value, metadata) : value) as Promise<unknown>;
    }
    return super.transform(value, metadata);
  }
}
