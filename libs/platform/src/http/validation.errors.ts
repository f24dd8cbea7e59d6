import { BadRequestException, ValidationError } from '@nestjs/common';

/** A request that failed DTO validation; carries one entry per offending field. */
export class RequestValidationError extends BadRequestException {
  constructor(readonly errors: { path: string; message: string }[]) {
    super('Request validation failed');
  }

  static fromValidationErrors(errors: ValidationError[]): RequestValidationError {
    return new RequestValidationError(flatten(errors, ''));
  }
}

function flatten(errors: ValidationError[], prefix: string): { path: string; message: string }[] {
  return errors.flatMap((e) => {
    const path = prefix ? `${prefix}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((message) => ({ path, message }));
    return [...own, ...flatten(e.children ?? [], path)];
  });
}
