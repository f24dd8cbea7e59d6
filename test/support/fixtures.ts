/** A shipping address the simulated carrier accepts (postal codes 00000 and 99999 it refuses). */
export const TEST_ADDRESS = { name: 'Ada Lovelace', line1: 'Main Street 1', city: 'Berlin', postalCode: '10115', country: 'DE' };
