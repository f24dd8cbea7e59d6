import type { Address } from '@commerce/contracts';

/** Postal codes the simulated carrier refuses to deliver to (documented test addresses). */
export const UNDELIVERABLE_POSTAL_CODES = ['00000', '99999'];

/** Why the carrier would refuse this address, or undefined when it accepts it. */
export function carrierRefusal(address: Address): string | undefined {
  if (UNDELIVERABLE_POSTAL_CODES.includes(address.postalCode)) return `carrier does not deliver to postal code ${address.postalCode}`;
  return undefined;
}
