import { Type } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createHttpApp, createLogger, loadPlatformConfig, startApp } from '@commerce/platform';
import { withEnv } from './context-harness';

/** An app listening on a loopback port. */
export interface RunningApp {
  baseUrl: string;
  app: NestFastifyApplication;
  close(): Promise<void>;
}

/** Boots an app module over HTTP on 127.0.0.1 with the given environment. */
export async function bootHttpApp(rootModule: Type<unknown>, env: Record<string, string | undefined>): Promise<RunningApp> {
  const app = await withEnv({ NODE_ENV: 'test', PORT: '0', LOG_LEVEL: process.env.TEST_LOGS === '1' ? 'debug' : 'silent', ...env }, async () => {
    const config = loadPlatformConfig();
    const logger = createLogger({ level: config.LOG_LEVEL, pretty: 'false', nodeEnv: config.NODE_ENV, name: 'test' });
    const created = await createHttpApp(rootModule, { title: 'test', config, logger });
    await startApp(created);
    await created.listen({ port: 0, host: '127.0.0.1' });
    return created;
  });
  const address = app.getHttpServer().address() as { port: number };
  return { baseUrl: `http://127.0.0.1:${address.port}`, app, close: () => app.close() };
}

/**
 * How long one request may take before the test fails: generous, because 200 requests may queue
 * behind each other on a loaded 2-core machine; a hang still fails well within a test's timeout.
 */
const REQUEST_TIMEOUT_MS = 45_000;

/** A JSON request; returns status, headers and the parsed body. */
export async function call(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
  timeoutMs = REQUEST_TIMEOUT_MS,
) {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = text;
  }
  return { status: response.status, headers: response.headers, body: json as Record<string, unknown> & Record<string, never> };
}

/** Logs in and returns the access token; fails the test with the answer when login fails. */
export async function logIn(baseUrl: string, email: string, password: string): Promise<string> {
  const res = await call(baseUrl, 'POST', '/api/auth/login', { email, password });
  if (res.status !== 200) throw new Error(`login of ${email} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.accessToken as string;
}

/** Registers a new customer and returns its token and id. */
export async function newCustomer(baseUrl: string): Promise<{ token: string; id: string; email: string; auth: Record<string, string> }> {
  const email = `c-${randomUUID().slice(0, 12)}@example.com`;
  const password = `pw-${randomUUID()}`;
  const res = await call(baseUrl, 'POST', '/api/auth/register', { email, password, name: 'Test Customer' });
  if (res.status !== 201) throw new Error(`registration failed: ${res.status} ${JSON.stringify(res.body)}`);
  const token = await logIn(baseUrl, email, password);
  return { token, id: res.body.id as string, email, auth: { authorization: `Bearer ${token}` } };
}

/** The Authorization header for a token. */
export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });
