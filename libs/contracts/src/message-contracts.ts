import * as product from './catalog/product.contracts';
import * as inventory from './catalog/inventory.contracts';
import { isMessageContract, MessageContract } from './common/contract';
import * as identity from './identity/identity.contracts';
import * as ordering from './ordering/ordering.contracts';
import * as payments from './payments/payments.contracts';
import * as reporting from './reporting/reporting.contracts';
import * as shipping from './shipping/shipping.contracts';

/**
 * Every message contract the kit defines, in one list: the AsyncAPI document, the transporters
 * (a bare `@MessagePattern(type)` finds its contract here) and the compatibility checks read it.
 * A new context's contracts module is added here as it is to the index.
 */
export function messageContracts(): MessageContract[] {
  return [product, inventory, ordering, payments, shipping, identity, reporting].flatMap((module) =>
    (Object.values(module) as unknown[]).filter(isMessageContract),
  );
}
