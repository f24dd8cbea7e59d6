import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

/** Credentials the benchmarked apps run with (production mode requires them). */
export const BENCH_AUTH = {
  JWT_SECRET: 'bench-only-jwt-secret-0123456789abcdef0123',
  ADMIN_EMAIL: 'admin@bench.local',
  ADMIN_PASSWORD: 'bench-admin-password-7781',
  RATE_LIMIT_AUTH_PER_MINUTE: '100000',
  RATE_LIMIT_ORDERS_PER_MINUTE: '1000000',
};

/** Logs in and returns the Authorization header. */
export async function authHeader(base: string, email: string, password: string): Promise<Record<string, string>> {
  const res = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (!res.ok) throw new Error(`login failed: ${res.status}`);
  return { authorization: `Bearer ${((await res.json()) as { accessToken: string }).accessToken}` };
}

/** A port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as { port: number };
  await new Promise((ok) => server.close(ok));
  return port;
}

/** Polls `url` until it answers 2xx (bounded), failing early if the process exits. */
export async function waitFor(url: string, child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url}: process exited with ${child.exitCode}`);
    if (
      await fetch(url).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`${url} not ready in ${timeoutMs} ms`);
}

/** SIGTERM, then SIGKILL after 10 s. */
export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((ok) => child.once('exit', ok));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/**
 * Extra variables for every app a bench starts, for A/B runs of one setting:
 * `BENCH_APP_ENV='DB_PREPARED_STATEMENTS=0'` (comma-separated NAME=value pairs).
 */
function benchAppEnv(): Record<string, string> {
  const pairs = (process.env.BENCH_APP_ENV ?? '').split(',').filter((p) => p.includes('='));
  return Object.fromEntries(pairs.map((p) => [p.slice(0, p.indexOf('=')).trim(), p.slice(p.indexOf('=') + 1).trim()]));
}

/** Starts a built app and resolves when /health/ready answers, with the ms that took; `nodeArgs` go before the script (`--cpu-prof` is not allowed in NODE_OPTIONS). */
export async function startApp(
  app: string,
  env: Record<string, string>,
  nodeArgs: string[] = [],
): Promise<{ child: ChildProcess; base: string; readyMs: number }> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, [...nodeArgs, resolve(__dirname, `../../apps/${app}/main.js`)], {
    // GRPC_PORT: catalog serves gRPC beside HTTP; a free port, never 50051 that something else may hold.
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      MIGRATIONS_RUN: 'true',
      LOG_LEVEL: 'warn',
      GRPC_PORT: String(await freePort()),
      ...BENCH_AUTH,
      ...env,
      ...benchAppEnv(),
      PORT: String(port),
    },
    stdio: 'ignore',
  });
  const base = `http://127.0.0.1:${port}`;
  await waitFor(`${base}/health/ready`, child);
  return { child, base, readyMs: Math.round(performance.now() - started) };
}

/** Every service `npm run start:split` runs besides the gateway, reporting included: the split the benches start. */
export const SPLIT_SERVICES = ['identity', 'catalog', 'ordering', 'payments', 'shipping', 'notifications', 'reporting'];

/** The monolith, or the split's services and gateway, started by `startTopology`. */
export interface RunningApps {
  /** The monolith's or the gateway's base URL. */
  base: string;
  /** The app each child runs, in the order of `children`. */
  apps: string[];
  children: ChildProcess[];
  stop(): Promise<void>;
}

/**
 * Starts the monolith, or every split service and then the gateway over RabbitMQ (with a queue
 * prefix of their own), each with `env` and `nodeArgs(app)` before its script. If an app fails to
 * start, the ones already running are stopped before the error is thrown.
 */
export async function startTopology(
  topology: 'monolith' | 'split',
  env: Record<string, string>,
  nodeArgs: (app: string) => string[] = () => [],
): Promise<RunningApps> {
  const apps = topology === 'split' ? [...SPLIT_SERVICES, 'gateway'] : ['monolith'];
  const appEnv =
    topology === 'split'
      ? {
          TRANSPORT: 'rmq',
          RABBITMQ_URL: process.env.TEST_RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
          RMQ_PREFIX: `bench${randomBytes(3).toString('hex')}`,
          ...env,
        }
      : env;
  const children: ChildProcess[] = [];
  const stopAll = () => Promise.all(children.map(stop)).then(() => undefined);
  let base = '';
  try {
    for (const app of apps) {
      const started = await startApp(app, appEnv, nodeArgs(app));
      children.push(started.child);
      base = started.base;
    }
  } catch (error) {
    await stopAll();
    throw error;
  }
  return { base, apps, children, stop: stopAll };
}
