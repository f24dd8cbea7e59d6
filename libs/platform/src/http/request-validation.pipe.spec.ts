import { IsInt, Min } from 'class-validator';
import { RequestValidationError } from './validation.errors';
import { RequestValidationPipe } from './request-validation.pipe';

class Page {
  @IsInt()
  @Min(1)
  limit!: number;
}

const pipe = new RequestValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
  transform: true,
  exceptionFactory: RequestValidationError.fromValidationErrors,
});

describe('RequestValidationPipe', () => {
  it('converts scalar path and query arguments as ValidationPipe does, without a promise', () => {
    expect(pipe.transform('7', { type: 'param', data: 'n', metatype: Number })).toBe(7);
    expect(pipe.transform('true', { type: 'query', data: 'flag', metatype: Boolean })).toBe(true);
    expect(pipe.transform('abc', { type: 'param', data: 'id', metatype: String })).toBe('abc');
    expect(pipe.transform({ a: 1 }, { type: 'custom', data: undefined, metatype: undefined })).toEqual({ a: 1 });
  });

  it('still validates and transforms a DTO through ValidationPipe', async () => {
    await expect(pipe.transform({ limit: '0' }, { type: 'query', metatype: Page })).rejects.toBeInstanceOf(RequestValidationError);
    await expect(pipe.transform({ limit: 3, extra: 1 }, { type: 'body', metatype: Page })).rejects.toMatchObject({
      errors: [{ path: 'extra' }],
    });
    await expect(pipe.transform({ limit: 3 }, { type: 'body', metatype: Page })).resolves.toBeInstanceOf(Page);
  });
});
