import { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { SignJWT } from 'jose';
import { AuthGuard } from './auth.guard';
import { EdgeConfig } from '../edge.config';
import { RequireRole } from './auth.decorators';

const SECRET = 'a-test-secret-of-at-least-32-characters!';
const config = { JWT_SECRET: SECRET, JWT_ISSUER: 'commerce-kit' } as EdgeConfig;

class Routes {
  me(): void {}
  @RequireRole('admin')
  admin(): void {}
}

function context(authorization: string | undefined, handler: keyof Routes = 'me') {
  const request: { headers: Record<string, string | undefined>; user?: unknown } = { headers: { authorization } };
  const ctx = {
    getHandler: () => Routes.prototype[handler],
    getClass: () => Routes,
    switchToHttp: () => ({ getRequest: () => request }),
  } as unknown as ExecutionContext;
  return { ctx, request };
}

function token(options: { exp?: number | string; aud?: string; iss?: string; role?: string; secret?: string } = {}): Promise<string> {
  return new SignJWT({ role: options.role ?? 'customer', email: 'c@example.com' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('user-1')
    .setIssuer(options.iss ?? 'commerce-kit')
    .setAudience(options.aud ?? 'commerce-kit')
    .setExpirationTime(options.exp ?? '15m')
    .sign(new TextEncoder().encode(options.secret ?? SECRET));
}

/** The guard's answer, whether it came synchronously or as a promise; a refusal as its error code. */
async function check(guard: AuthGuard, authorization: string | undefined, handler: keyof Routes = 'me'): Promise<boolean | string> {
  try {
    return await guard.canActivate(context(authorization, handler).ctx);
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

describe('AuthGuard', () => {
  afterEach(() => jest.useRealTimers());

  it('verifies a token once, then answers the same token synchronously with the same user', async () => {
    const guard = new AuthGuard(new Reflector(), config);
    const jwt = await token();
    const first = context(`Bearer ${jwt}`);
    expect(await guard.canActivate(first.ctx)).toBe(true);
    const second = context(`Bearer ${jwt}`);
    expect(guard.canActivate(second.ctx)).toBe(true);
    expect(second.request.user).toEqual({ id: 'user-1', role: 'customer', email: 'c@example.com' });
    expect(second.request.user).toEqual(first.request.user);
    expect(second.request.user).not.toBe(first.request.user);
  });

  it('refuses a cached token once it has expired', async () => {
    const start = Date.now();
    jest.useFakeTimers({
      now: start,
      doNotFake: [
        'nextTick',
        'setImmediate',
        'queueMicrotask',
        'setTimeout',
        'setInterval',
        'clearTimeout',
        'clearInterval',
        'clearImmediate',
        'hrtime',
        'performance',
      ],
    });
    const guard = new AuthGuard(new Reflector(), config);
    const jwt = await token({ exp: Math.floor(start / 1000) + 30 });
    expect(await check(guard, `Bearer ${jwt}`)).toBe(true);
    jest.setSystemTime(start + 10_000);
    expect(guard.canActivate(context(`Bearer ${jwt}`).ctx)).toBe(true);
    jest.setSystemTime(start + 31_000);
    expect(await check(guard, `Bearer ${jwt}`)).toBe('AUTH.UNAUTHENTICATED');
  });

  it('refuses a tampered token even when the genuine one is cached', async () => {
    const guard = new AuthGuard(new Reflector(), config);
    const jwt = await token();
    expect(await check(guard, `Bearer ${jwt}`)).toBe(true);
    const [header, payload, signature] = jwt.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const asAdmin = `${header}.${Buffer.from(JSON.stringify({ ...claims, role: 'admin' })).toString('base64url')}.${signature}`;
    expect(await check(guard, `Bearer ${asAdmin}`, 'admin')).toBe('AUTH.UNAUTHENTICATED');
    expect(await check(guard, `Bearer ${asAdmin}`, 'admin')).toBe('AUTH.UNAUTHENTICATED');
    expect(await check(guard, `Bearer ${jwt.slice(0, -2)}xx`)).toBe('AUTH.UNAUTHENTICATED');
  });

  it('refuses a wrong audience, issuer or key, and does not remember a refusal', async () => {
    const guard = new AuthGuard(new Reflector(), config);
    for (const bad of [
      await token({ aud: 'someone-else' }),
      await token({ iss: 'someone-else' }),
      await token({ secret: 'another-secret-of-at-least-32-characters!!' }),
    ]) {
      expect(await check(guard, `Bearer ${bad}`)).toBe('AUTH.UNAUTHENTICATED');
      expect(await check(guard, `Bearer ${bad}`)).toBe('AUTH.UNAUTHENTICATED');
    }
    expect(await check(guard, undefined)).toBe('AUTH.UNAUTHENTICATED');
  });

  it('applies the role check on a cached token as on a fresh one', async () => {
    const guard = new AuthGuard(new Reflector(), config);
    const jwt = await token();
    expect(await check(guard, `Bearer ${jwt}`)).toBe(true);
    expect(await check(guard, `Bearer ${jwt}`, 'admin')).toBe('AUTH.FORBIDDEN');
  });
});
