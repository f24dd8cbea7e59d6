import { carrierRefusal } from './carrier-rules';

const address = { name: 'A', line1: 'Main 1', city: 'Berlin', postalCode: '10115', country: 'DE' };

describe('carrierRefusal', () => {
  it('accepts an ordinary address', () => expect(carrierRefusal(address)).toBeUndefined());
  it('refuses the test postal codes', () => {
    expect(carrierRefusal({ ...address, postalCode: '00000' })).toContain('00000');
    expect(carrierRefusal({ ...address, postalCode: '99999' })).toContain('99999');
  });
});
