import { Inject, Injectable } from '@nestjs/common';
import type { Role, Session } from '@commerce/contracts';
import { SignJWT } from 'jose';
import { createHash, randomBytes } from 'node:crypto';
import { IDENTITY_CONFIG, IdentityConfig } from '../identity.config';

/** Signs short-lived access tokens (HS256, jose) and makes opaque refresh tokens, stored only as hashes. */
@Injectable()
export class TokenIssuer {
  private readonly key: Uint8Array;

  constructor(@Inject(IDENTITY_CONFIG) private readonly config: IdentityConfig) {
    this.key = new TextEncoder().encode(config.JWT_SECRET);
  }

  async session(user: { id: string; email: string; role: Role }, refreshToken: string): Promise<Session> {
    const accessToken = await new SignJWT({ role: user.role, email: user.email })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(user.id)
      .setIssuer(this.config.JWT_ISSUER)
      .setAudience('commerce-kit')
      .setIssuedAt()
      .setExpirationTime(`${this.config.ACCESS_TOKEN_TTL_S}s`)
      .sign(this.key);
    return { tokenType: 'Bearer', accessToken, expiresIn: this.config.ACCESS_TOKEN_TTL_S, refreshToken };
  }

  /** A new refresh token and the hash to store. */
  static refreshToken(): { token: string; hash: string } {
    const token = randomBytes(32).toString('base64url');
    return { token, hash: TokenIssuer.hashOf(token) };
  }

  static hashOf(token: string): string {
    return createHash('sha256').update(token).digest('hex');
  }
}
