import { applyDecorators } from '@nestjs/common';
import { ApiProperty, type ApiPropertyOptions } from '@nestjs/swagger';
import { ValidateBy } from 'class-validator';
import type { MessageContract, PayloadOf } from '@commerce/contracts';
import { z } from 'zod';

/** The zod schema of one payload field of a contract; throws at start-up when the field is gone. */
export function fieldOf<C extends MessageContract>(contract: C, field: keyof PayloadOf<C> & string): z.ZodType {
  const schema = (contract.schema as unknown as { shape?: Record<string, z.ZodType> }).shape?.[field];
  if (!schema) throw new Error(`${contract.type} has no field "${field}"`);
  return schema;
}

/**
 * A DTO property validated by the contract's own zod schema and documented from it (type, lengths,
 * pattern, enum), so the HTTP edge cannot accept what the message contract refuses.
 */
export function ContractProperty(schema: z.ZodType, options: ApiPropertyOptions = {}): PropertyDecorator {
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return applyDecorators(
    ApiProperty({ ...json, required: !schema.safeParse(undefined).success, ...options } as ApiPropertyOptions),
    ValidateBy({
      name: 'contract',
      validator: {
        validate: (value: unknown) => schema.safeParse(value).success,
        defaultMessage: (args) => `${args?.property} ${schema.safeParse(args?.value).error?.issues[0]?.message ?? 'is invalid'}`,
      },
    }),
  );
}
