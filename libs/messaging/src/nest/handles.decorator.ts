import { applyDecorators, UseFilters, UsePipes } from '@nestjs/common';
import { EventPattern, MessagePattern } from '@nestjs/microservices';
import type { MessageContract, PayloadOf, ResultOf } from '@commerce/contracts';
import type { Observable } from 'rxjs';
import { ContractValidationPipe } from './contract-validation.pipe';
import { DomainErrorFilter } from './domain-error.filter';

/** What `@Handles` tells the server beside the pattern (Nest's pattern `extras`). */
export interface HandlerExtras {
  contract: MessageContract;
  /** `<Class>.<method>`: the inbox and the dead letters know the handler by it, so it must not change. */
  handler: string;
  /** The ContractValidationPipe checks the payload, so the server does not check it again. */
  validation: 'pipe';
}

/** What a handler of a contract may return: its result, at once, later or as a stream (the last value counts). */
export type HandlerResult<R> = R | Promise<R> | Observable<R>;

/**
 * Declares a controller method the handler of a message contract, the Nest way: `@EventPattern`
 * for an event, `@MessagePattern` for a command or query, with the contract's type as the
 * pattern, its schema as a pipe and DomainErrorFilter for typed errors. The method's first
 * parameter must accept the contract's payload and its result must be the contract's result.
 */
export function Handles<C extends MessageContract>(contract: C) {
  return <M extends (payload: PayloadOf<C>, ...rest: never[]) => HandlerResult<ResultOf<C>>>(
    target: object,
    key: string | symbol,
    descriptor: TypedPropertyDescriptor<M>,
  ): void => {
    const extras: HandlerExtras = { contract, handler: `${target.constructor.name}.${String(key)}`, validation: 'pipe' };
    const pattern: MethodDecorator = contract.kind === 'event' ? EventPattern<string>(contract.type, extras) : MessagePattern(contract.type, extras);
    applyDecorators(pattern, UsePipes(new ContractValidationPipe(contract)), UseFilters(new DomainErrorFilter()))(target, key, descriptor);
  };
}
