import { MessageContract } from '@commerce/contracts';

/** Metadata key under which a method's contract is stored. */
export const MESSAGE_HANDLER_METADATA = 'commerce:message-handler';

/** Marks a provider method as the handler of a message contract; it receives (payload, envelope). */
export function MessageHandler(contract: MessageContract): MethodDecorator {
  return (_target, _key, descriptor) => {
    Reflect.defineMetadata(MESSAGE_HANDLER_METADATA, contract, descriptor.value as object);
    return descriptor;
  };
}
