import { ArgumentMetadata, PipeTransform } from '@nestjs/common';
import type { MessageContract } from '@commerce/contracts';
import { invalidMessage } from '../bus/messaging.errors';

/**
 * Whether the argument is the message payload: Nest 12 reports `@Payload()` (and the default first
 * argument) to pipes as `body`, `@Ctx()` as `custom`; earlier lines passed `RpcParamtype.PAYLOAD` (3).
 */
const isPayload = (metadata: ArgumentMetadata) => metadata.type === 'body' || Number(metadata.type) === 3;

/**
 * Checks a message payload against its contract's zod schema and hands the handler the parsed
 * value (defaults applied, strings trimmed); a payload that breaks it is `MESSAGING.INVALID_MESSAGE`,
 * which the transports park in the DLQ at once. Other arguments (`@Ctx()`) pass untouched.
 */
export class ContractValidationPipe implements PipeTransform {
  constructor(private readonly contract: MessageContract) {}

  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (!isPayload(metadata) || metadata.data !== undefined) return value;
    const checked = this.contract.schema.safeParse(value);
    if (!checked.success) throw invalidMessage(this.contract.type, checked.error);
    return checked.data;
  }
}
