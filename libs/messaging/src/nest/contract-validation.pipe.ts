import { ArgumentMetadata, PipeTransform } from '@nestjs/common';
import type { MessageContract } from '@commerce/contracts';
import { invalidMessage } from '../bus/messaging.errors';

/** `RpcParamtype.PAYLOAD`: the param type Nest gives `@Payload()` and the default first argument (the enum is not exported). */
const PAYLOAD_PARAM = 3;

/**
 * Checks a message payload against its contract's zod schema and hands the handler the parsed
 * value (defaults applied, strings trimmed); a payload that breaks it is `MESSAGING.INVALID_MESSAGE`,
 * which the transports park in the DLQ at once. Other arguments (`@Ctx()`) pass untouched.
 */
export class ContractValidationPipe implements PipeTransform {
  constructor(private readonly contract: MessageContract) {}

  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (Number(metadata.type) !== PAYLOAD_PARAM || metadata.data !== undefined) return value;
    const checked = this.contract.schema.safeParse(value);
    if (!checked.success) throw invalidMessage(this.contract.type, checked.error);
    return checked.data;
  }
}
