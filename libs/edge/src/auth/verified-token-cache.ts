import type { AuthUser } from './auth.decorators';

interface Entry {
  user: AuthUser;
  /** Epoch ms from which the entry is no longer served: the token's `exp`, or the max age, whichever is first. */
  until: number;
}

/**
 * Access tokens the guard has verified, keyed by the exact token string, so a client that sends the
 * same token again skips the signature check (jose's HS256 verify goes through WebCrypto's job queue).
 * Only successes are stored. A hit is served only while the token is unexpired by jose's own rule
 * (`exp` in seconds, refused once now >= exp) and within `maxAgeMs` of its verification. Issuer,
 * audience and algorithm are properties of the token's bytes and of the guard's fixed configuration,
 * so a hit (the same bytes, the same guard) has passed them already; a tampered token is another key.
 * Bounded: past `maxEntries` the oldest entry is dropped (insertion order).
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly maxEntries = 1000,
    private readonly maxAgeMs = 60_000,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** The user of a token verified earlier and still unexpired at `now` (epoch ms); undefined otherwise. */
  get(token: string, now: number): AuthUser | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    if (now >= entry.until) {
      this.entries.delete(token);
      return undefined;
    }
    return entry.user;
  }

  /** Records a token that just passed verification; `exp` is its claim in epoch seconds, if any. */
  set(token: string, user: AuthUser, exp: number | undefined, now: number): void {
    const until = Math.min(typeof exp === 'number' ? exp * 1000 : Infinity, now + this.maxAgeMs);
    if (until <= now) return;
    this.entries.delete(token);
    while (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
    // Its own copy: the verifying request's user object is handed to that request's handler.
    this.entries.set(token, { user: { ...user }, until });
  }
}
