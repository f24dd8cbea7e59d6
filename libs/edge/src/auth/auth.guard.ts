import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { roleSchema } from '@commerce/contracts';
import type { FastifyRequest } from 'fastify';
import { jwtVerify } from 'jose';
import { EDGE_CONFIG, EdgeConfig } from '../edge.config';
import { PUBLIC_ROUTE } from '@commerce/platform';
import { AuthUser, REQUIRED_ROLE } from './auth.decorators';
import { ForbiddenRoleError, UnauthenticatedError } from './auth.errors';
import { opsCookieToken } from '../operations/ops-session';
import { VerifiedTokenCache } from './verified-token-cache';

/**
 * Every route needs a bearer token unless marked @Public. Tokens are verified with jose, HS256
 * only (so `alg: none` and RS/HS confusion are refused), with issuer, audience and expiry checked.
 * A token that passed is remembered (VerifiedTokenCache) until its `exp` or for a minute at most,
 * so a client's next request with it skips the signature check; access tokens are not revoked
 * before their `exp` (logout revokes the refresh token only), so a hit grants nothing a fresh check would refuse.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly key: Uint8Array;
  private readonly verified = new VerifiedTokenCache();

  constructor(
    private readonly reflector: Reflector,
    @Inject(EDGE_CONFIG) private readonly config: EdgeConfig,
  ) {
    this.key = new TextEncoder().encode(config.JWT_SECRET);
  }

  /** Synchronous for public routes and for a token verified earlier (no promise on the hot paths); a token check otherwise. */
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [context.getHandler(), context.getClass()])) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest & { user?: AuthUser }>();
    const cookie = request.headers.authorization ? undefined : opsCookieToken(request);
    const token = bearerToken(cookie ? `Bearer ${cookie}` : request.headers.authorization);
    const known = this.verified.get(token, Date.now());
    // A copy per request: the cached user is never shared with a handler.
    if (known) return this.authorise(context, request, { ...known });
    return this.verify(token).then((user) => this.authorise(context, request, user));
  }

  private authorise(context: ExecutionContext, request: FastifyRequest & { user?: AuthUser }, user: AuthUser): boolean {
    request.user = user;
    const role = this.reflector.getAllAndOverride<string>(REQUIRED_ROLE, [context.getHandler(), context.getClass()]);
    if (role && user.role !== role) throw new ForbiddenRoleError(role);
    return true;
  }

  private async verify(token: string): Promise<AuthUser> {
    let user: AuthUser;
    let exp: number | undefined;
    try {
      const { payload } = await jwtVerify(token, this.key, { algorithms: ['HS256'], issuer: this.config.JWT_ISSUER, audience: 'commerce-kit' });
      const role = roleSchema.safeParse(payload.role);
      if (!payload.sub || !role.success || typeof payload.email !== 'string') throw new UnauthenticatedError();
      user = { id: payload.sub, role: role.data, email: payload.email };
      exp = payload.exp;
    } catch {
      throw new UnauthenticatedError();
    }
    this.verified.set(token, user, exp, Date.now());
    return user;
  }
}

/** The token of an `Authorization: Bearer <jwt>` header (three base64url parts); UnauthenticatedError otherwise. */
function bearerToken(header: string | undefined): string {
  const match = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/.exec(header ?? '');
  if (!match) throw new UnauthenticatedError();
  return match[1];
}
