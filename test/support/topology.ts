import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { MonolithModule } from '../../apps/monolith/monolith.module';
import { bootHttpApp, logIn } from './http-harness';
import { deleteTopology, TEST_RABBITMQ_URL, uniquePrefix } from './rabbitmq';

/**
 * The three ways the kit runs, and split-grpc: the split topology with the catalog's queries over
 * gRPC (CATALOG_QUERIES=grpc). E2E_TOPOLOGIES selects some (comma-separated), default the three.
 */
export type TopologyName = 'monolith' | 'monolith-rmq' | 'split' | 'split-grpc';
export const TOPOLOGIES = (process.env.E2E_TOPOLOGIES ?? 'monolith,monolith-rmq,split').split(',').map((t) => t.trim()) as TopologyName[];
/** For the suites that read the catalog from another process: split-grpc too, whenever split runs. */
export const CATALOG_READ_TOPOLOGIES: TopologyName[] =
  TOPOLOGIES.includes('split') && !TOPOLOGIES.includes('split-grpc') ? [...TOPOLOGIES, 'split-grpc'] : TOPOLOGIES;
/** Whether a topology runs each context as its own process. */
export const isSplit = (name: TopologyName): boolean => name === 'split' || name === 'split-grpc';

/** Credentials and limits every test topology runs with. */
export const TEST_AUTH = {
  ADMIN_EMAIL: 'admin@test.local',
  ADMIN_PASSWORD: 'test-admin-password-4417',
  JWT_SECRET: 'test-only-jwt-secret-0123456789abcdef0123',
  RATE_LIMIT_AUTH_PER_MINUTE: '100000',
  RATE_LIMIT_ORDERS_PER_MINUTE: '100000',
  // Two suites at once may each run every context (the monolith) or seven processes (split):
  // with the default 10 connections per context they could pass Postgres' default limit of 100.
  DB_POOL_SIZE: '5',
};

/** A running topology, reached over HTTP at `baseUrl`. */
export interface RunningTopology {
  name: TopologyName;
  baseUrl: string;
  /** A bearer token of the admin account. */
  adminToken: string;
  /** Service processes by name (split only), to kill or restart in fault tests. */
  processes: Map<string, ServiceProcess>;
  /** SIGKILLs a service process of the split topology and starts it again with the same settings. */
  crash(service: string): Promise<void>;
  /** Stops a service process (SIGTERM) and leaves it down. */
  stop(service: string): Promise<void>;
  /** Starts a stopped service process again with the same settings. */
  start(service: string): Promise<void>;
  close(): Promise<void>;
}

/** A service started as its own OS process from the built code. */
export interface ServiceProcess {
  child: ChildProcessWithoutNullStreams;
  baseUrl: string;
  output(): string;
  exited: Promise<number | null>;
}

const ROOT = resolve(__dirname, '../..');
/** The services of the split topology besides the gateway. */
export const SERVICES = ['identity', 'catalog', 'ordering', 'payments', 'shipping', 'notifications', 'reporting'];
const RETRY_DELAYS = '200,400';

/** A port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as { port: number };
  await new Promise((ok) => server.close(ok));
  return port;
}

/** Starts `dist/apps/<app>/main.js` and waits until /health/ready answers 200. */
export async function startService(app: string, env: Record<string, string>, timeoutMs = 120_000): Promise<ServiceProcess> {
  const service = await spawnService(app, env);
  const { child } = service;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${app} exited during start-up:\n${service.output()}`);
    if (
      await fetch(`${service.baseUrl}/health/ready`).then(
        (r) => r.status === 200,
        () => false,
      )
    )
      return service;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`${app} not ready within ${timeoutMs} ms:\n${service.output()}`);
}

/** Starts `dist/apps/<app>/main.js` without waiting for anything. */
export async function spawnService(app: string, env: Record<string, string>): Promise<ServiceProcess> {
  const main = resolve(ROOT, `dist/apps/${app}/main.js`);
  if (!existsSync(main)) throw new Error(`${main} is missing: run "npm run build" first (npm test does).`);
  const port = await freePort();
  const child = spawn(process.execPath, [main], {
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      LOG_LEVEL: process.env.TEST_LOGS === '1' ? 'debug' : 'warn',
      // The catalog serves gRPC beside HTTP: never on the default port, which suites running at once would share.
      GRPC_PORT: String(await freePort()),
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
    },
  });
  let output = '';
  const keep = (d: Buffer) => {
    output = (output + d.toString()).slice(-20_000);
    if (process.env.TEST_LOGS === '1') process.stdout.write(`[${app}] ${d.toString()}`);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<number | null>((ok) => child.on('exit', (code, signal) => ok(code ?? (signal ? 128 : null))));
  return { child, baseUrl: `http://127.0.0.1:${port}`, output: () => output, exited };
}

/** Stops a service process (SIGTERM, then SIGKILL after 10 s). */
export async function stopService(service: ServiceProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (service.child.exitCode !== null || service.child.signalCode !== null) return;
  const timer = setTimeout(() => service.child.kill('SIGKILL'), 10_000);
  service.child.kill(signal);
  await service.exited;
  clearTimeout(timer);
}

/** Boots one topology against a database; every topology serves the same HTTP API. */
export async function startTopology(name: TopologyName, databaseUrl: string, env: Record<string, string> = {}): Promise<RunningTopology> {
  const running = await startProcesses(name, databaseUrl, { ...TEST_AUTH, ...env });
  return { ...running, adminToken: await logIn(running.baseUrl, TEST_AUTH.ADMIN_EMAIL, TEST_AUTH.ADMIN_PASSWORD) };
}

async function startProcesses(name: TopologyName, databaseUrl: string, env: Record<string, string>): Promise<Omit<RunningTopology, 'adminToken'>> {
  const prefix = uniquePrefix();
  const rmq = { TRANSPORT: 'rmq', RABBITMQ_URL: TEST_RABBITMQ_URL, RMQ_PREFIX: prefix, RETRY_DELAYS_MS: RETRY_DELAYS };
  const cleanup = () => deleteTopology(prefix, ['monolith', 'gateway', ...SERVICES], RETRY_DELAYS.split(',').map(Number));
  if (name === 'monolith' || name === 'monolith-rmq') {
    const app = await bootHttpApp(MonolithModule, { DATABASE_URL: databaseUrl, ...(name === 'monolith-rmq' ? rmq : { TRANSPORT: 'in-process' }), ...env });
    return {
      name,
      baseUrl: app.baseUrl,
      processes: new Map(),
      crash: () => Promise.reject(new Error('only the split topology has processes to crash')),
      stop: () => Promise.reject(new Error('only the split topology has processes to stop')),
      start: () => Promise.reject(new Error('only the split topology has processes to start')),
      close: async () => {
        await app.close();
        if (name === 'monolith-rmq') await cleanup();
      },
    };
  }
  // One gRPC port per topology: catalog listens on it, and in split-grpc the others call it.
  const grpcPort = await freePort();
  const grpc = { GRPC_PORT: String(grpcPort), CATALOG_GRPC_URL: `127.0.0.1:${grpcPort}`, ...(name === 'split-grpc' ? { CATALOG_QUERIES: 'grpc' } : {}) };
  const shared = { DATABASE_URL: databaseUrl, ...rmq, ...grpc, ...env };
  const processes = new Map<string, ServiceProcess>();
  try {
    const started = await Promise.allSettled(SERVICES.map((name) => startService(name, shared)));
    started.forEach((r, i) => r.status === 'fulfilled' && processes.set(SERVICES[i], r.value));
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    processes.set('gateway', await startService('gateway', shared));
  } catch (error) {
    await Promise.all([...processes.values()].map((p) => stopService(p, 'SIGKILL')));
    throw error;
  }
  return {
    name,
    baseUrl: processes.get('gateway')!.baseUrl,
    processes,
    crash: async (service) => {
      await stopService(processes.get(service)!, 'SIGKILL');
      processes.set(service, await startService(service, shared));
    },
    stop: (service) => stopService(processes.get(service)!),
    start: async (service) => {
      processes.set(service, await startService(service, shared));
    },
    close: async () => {
      await Promise.all([...processes.values()].map((p) => stopService(p)));
      await cleanup();
    },
  };
}
