import { VerifiedTokenCache } from './verified-token-cache';

const user = (id: string) => ({ id, role: 'customer' as const, email: `${id}@example.com` });

describe('VerifiedTokenCache', () => {
  const now = 1_800_000_000_000;

  it('serves an entry until the token expires, by the same rule as jose (refused once now >= exp)', () => {
    const cache = new VerifiedTokenCache(10, 60_000);
    const exp = now / 1000 + 30;
    cache.set('t', user('a'), exp, now);
    expect(cache.get('t', now + 29_999)).toEqual(user('a'));
    expect(cache.get('t', exp * 1000)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('serves an entry no longer than its max age, even when the token lives longer', () => {
    const cache = new VerifiedTokenCache(10, 1_000);
    cache.set('t', user('a'), now / 1000 + 900, now);
    expect(cache.get('t', now + 999)).toEqual(user('a'));
    expect(cache.get('t', now + 1_000)).toBeUndefined();
  });

  it('does not store a token that is already expired', () => {
    const cache = new VerifiedTokenCache(10, 60_000);
    cache.set('t', user('a'), now / 1000, now);
    expect(cache.size).toBe(0);
    expect(cache.get('t', now)).toBeUndefined();
  });

  it('is bounded: past its size the oldest entry goes first', () => {
    const cache = new VerifiedTokenCache(3, 60_000);
    for (const id of ['a', 'b', 'c', 'd', 'e']) cache.set(id, user(id), undefined, now);
    expect(cache.size).toBe(3);
    expect(cache.get('a', now)).toBeUndefined();
    expect(cache.get('b', now)).toBeUndefined();
    expect(['c', 'd', 'e'].map((id) => cache.get(id, now)?.id)).toEqual(['c', 'd', 'e']);
  });
});
