import * as crypto from 'node:crypto';
import { PasswordHasher } from './password-hasher';

jest.mock('node:crypto', () => {
  const actual = jest.requireActual<typeof import('node:crypto')>('node:crypto');
  return { ...actual, scrypt: jest.fn(actual.scrypt) };
});

describe('PasswordHasher', () => {
  const hasher = new PasswordHasher();

  it('accepts the right password and refuses a wrong one', async () => {
    const stored = await hasher.hash('correct horse battery staple');
    await expect(hasher.verify('correct horse battery staple', stored)).resolves.toBe(true);
    await expect(hasher.verify('correct horse battery stapler', stored)).resolves.toBe(false);
  });

  it('spends one full scrypt derivation, with the same parameters, for an unknown account as for a known one', async () => {
    const stored = await hasher.hash('s3cret-enough');
    await hasher.verify('warm-up', undefined); // the decoy hash is made once, before the measured calls
    const derive = jest.mocked(crypto.scrypt);
    derive.mockClear();
    await expect(hasher.verify('s3cret-wrong', stored)).resolves.toBe(false);
    await expect(hasher.verify('s3cret-enough', undefined)).resolves.toBe(false);
    const cost = (call: unknown[]) => {
      const options = call[3] as { N: number; r: number; p: number };
      return { keyLength: call[2], N: options.N, r: options.r, p: options.p };
    };
    expect(derive.mock.calls.map(cost)).toEqual([
      { keyLength: 32, N: 2 ** 15, r: 8, p: 1 },
      { keyLength: 32, N: 2 ** 15, r: 8, p: 1 },
    ]);
  });
});
