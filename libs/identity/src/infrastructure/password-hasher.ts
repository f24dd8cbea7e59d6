import { Injectable } from '@nestjs/common';
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

const PARAMS = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const KEY_LENGTH = 32;

function derive(password: string, salt: Buffer, params: { N: number; r: number; p: number }): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, { ...params, maxmem: PARAMS.maxmem }, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

/** Memory-hard password hashing with Node's scrypt; the parameters travel with each hash. */
@Injectable()
export class PasswordHasher {
  /** A hash of a random password, to spend the same time when the email is unknown. */
  private readonly decoy = this.hash(randomBytes(16).toString('hex'));

  async hash(password: string): Promise<string> {
    const salt = randomBytes(16);
    const key = await derive(password, salt, PARAMS);
    return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64url'), key.toString('base64url')].join('$');
  }

  async verify(password: string, stored: string | undefined): Promise<boolean> {
    const [scheme, n, r, p, salt, expected] = (stored ?? (await this.decoy)).split('$');
    if (scheme !== 'scrypt') return false;
    const key = await derive(password, Buffer.from(salt, 'base64url'), { N: Number(n), r: Number(r), p: Number(p) });
    const match = timingSafeEqual(key, Buffer.from(expected, 'base64url'));
    return match && stored !== undefined;
  }
}
