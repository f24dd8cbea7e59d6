import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/** The cookie holding the operator's access token; scoped to the operator's pages. */
export const OPS_COOKIE = 'ops_session';
const OPS_PATH = /^\/ops(\/|\?|$)/;
const COOKIE = new RegExp(`(?:^|;\\s*)${OPS_COOKIE}=([A-Za-z0-9_.-]{1,4096})`);

/** The operator's token from the cookie, only on the operator's pages (the API takes bearer headers only). */
export function opsCookieToken(request: FastifyRequest): string | undefined {
  if (!OPS_PATH.test(request.url)) return undefined;
  return COOKIE.exec(request.headers.cookie ?? '')?.[1];
}

/** Set-Cookie for a signed-in operator: HttpOnly (no script reads it), SameSite=Strict (no cross-site form posts carry it). */
export function sessionCookie(token: string, maxAgeSeconds: number, secure: boolean): string {
  return `${OPS_COOKIE}=${token}; Path=/ops; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure ? '; Secure' : ''}`;
}

/** Set-Cookie that ends the operator's session. */
export const CLEARED_COOKIE = `${OPS_COOKIE}=; Path=/ops; HttpOnly; SameSite=Strict; Max-Age=0`;

/**
 * HTML forms post `application/x-www-form-urlencoded`. The JSON API refuses that type (415), so the
 * parser accepts it on the operator's pages only, small bodies only.
 */
@Injectable()
export class OpsFormParser implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify?.addContentTypeParser || fastify.hasContentTypeParser('application/x-www-form-urlencoded')) return;
    fastify.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 4096 }, (request, body, done) => {
      if (!OPS_PATH.test(request.url))
        return done(Object.assign(new Error('Unsupported Media Type: application/x-www-form-urlencoded'), { statusCode: 415 }), undefined);
      done(null, Object.fromEntries(new URLSearchParams(String(body))));
    });
  }
}
