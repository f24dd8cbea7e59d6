import { passwordProblems } from './password-policy';

const common = new Set(['password123456', 'qwertyuiop123']);
const isCommon = (p: string) => common.has(p);

describe('passwordProblems', () => {
  it('accepts a long, uncommon password', () => expect(passwordProblems('violet-harbor-42-lantern', 'ada@example.com', isCommon)).toEqual([]));
  it('refuses a short one', () => expect(passwordProblems('short1!', 'ada@example.com', isCommon)).toContain('password must have at least 12 characters'));
  it('refuses a common one, whatever its case', () =>
    expect(passwordProblems('Password123456', 'ada@example.com', isCommon)).toContain('password is one of the most common passwords'));
  it('refuses one built from the email', () =>
    expect(passwordProblems('lovelace-lovelace-1', 'lovelace@example.com', isCommon)).toContain('password must not contain the email address'));
  it('refuses a repeated character', () =>
    expect(passwordProblems('aaaaaaaaaaaaaaaa', 'ada@example.com', isCommon)).toContain('password must not repeat a few characters'));
});
