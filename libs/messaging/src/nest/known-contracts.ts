import * as contracts from '@commerce/contracts';
import { isMessageContract, MessageContract } from '@commerce/contracts';

/** Every message contract the kit defines, by type: how a bare `@MessagePattern(type)` finds its contract. */
export function contractsByType(extra: readonly MessageContract[] = []): Map<string, MessageContract> {
  const all = [...(Object.values(contracts) as unknown[]).filter(isMessageContract), ...extra];
  return new Map(all.map((c) => [c.type, c]));
}
