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

/**
 * Every route needs a bearer token unless marked @Public. Tokens are verified with jose, HS256
 * only (so `alg: none` and RS/HS confusion are refused), with issuer, audience and expiry checked.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly key: Uint8Array;

  constructor(
    private readonly reflector: Reflector,
    @Inject(EDGE_CONFIG) private readonly config: EdgeConfig,
  ) {
    this.key = new TextEncoder().encode(config.JWT_SECRET);
  }

  /** Synchronous for public routes (no promise on the hot read paths); a token check otherwise. */
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [context.getHandler(), context.getClass()])) return true;
    return this.authenticate(context);
  }

  private async authenticate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    const request = context.switchToHttp().getRequest<FastifyRequest & { user?: AuthUser }>();
    const cookie = request.headers.authorization ? undefined : opsCookieToken(request);
    request.user = await this.verify(cookie ? `Bearer ${cookie}` : request.headers.authorization);
    const role = this.reflector.getAllAndOverride<string>(REQUIRED_ROLE, targets);
    if (role && request.user.role !== role) throw new ForbiddenRoleError(role);
    return true;
  }

  private async verify(header: string | undefined): Promise<AuthUser> {
    const match = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/.exec(header ?? '');
    if (!match) throw new UnauthenticatedError();
    try {
      const { payload } = await jwtVerify(match[1], this.key, { algorithms: ['HS256'], issuer: this.config.JWT_ISSUER, audience: 'commerce-kit' });
      const role = roleSchema.safeParse(payload.role);
      if (!payload.sub || !role.success || typeof payload.email !== 'string') throw new UnauthenticatedError();
      return { id: payload.sub, role: role.data, email: payload.email };
    } catch {
      throw new UnauthenticatedError();
    }
  }
}
