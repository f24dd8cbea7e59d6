import { MessageContract, messageContracts } from '@commerce/contracts';

/** Every message contract the kit defines, by type: how a bare `@MessagePattern(type)` finds its contract. */
export function contractsByType(extra: readonly MessageContract[] = []): Map<string, MessageContract> {
  return new Map([...messageContracts(), ...extra].map((c) => [c.type, c]));
}
