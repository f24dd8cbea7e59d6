import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../support/topology';
import { waitUntil } from '../support/wait-until';

const MAIN = resolve(__dirname, '../../dist/apps/monolith/main.js');

interface Started {
  child: ChildProcessWithoutNullStreams;
  output: () => string;
  exited: Promise<number | null>;
}

const children: ChildProcessWithoutNullStreams[] = [];
afterAll(() => children.forEach((c) => c.exitCode === null && c.kill('SIGKILL')));

function start(env: Record<string, string>): Started {
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', LOG_LEVEL: 'info', ...env },
  });
  children.push(child);
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((ok) => child.on('exit', (code, signal) => ok(code ?? (signal ? 128 + 15 : null))));
  return { child, output: () => output, exited };
}

async function waitReady(base: string, started: Started, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (started.child.exitCode !== null) throw new Error(`app exited early:\n${started.output()}`);
    const ok = await fetch(`${base}/health/ready`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`app not ready within ${timeoutMs} ms:\n${started.output()}`);
}

beforeAll(() => {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run "npm run build" first (npm test does).`);
});

describe('start-up', () => {
  it.each([
    ['PORT', 'eighty', /PORT: expected an integer/],
    ['LOG_LEVEL', 'chatty', /LOG_LEVEL: expected fatal, error/],
    ['DATABASE_URL', 'mysql://u:hunter2@db/x', /DATABASE_URL: expected a postgres or postgresql URL \(value hidden\)/],
    ['SEED_DEMO_CATALOG', 'sometimes', /SEED_DEMO_CATALOG: expected true or false/],
  ])('stops at once with one clear line when %s is bad', async (name, value, message) => {
    const started = start({ [name]: value, PORT: name === 'PORT' ? value : '0', DATA_DIR: 'memory://' });
    const code = await started.exited;
    expect(code).toBe(1);
    expect(started.output()).toMatch(message);
    expect(started.output()).not.toContain('hunter2');
  });

  it('runs on embedded Postgres with nothing configured, keeps data across restarts, and drains on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'commerce-embedded-'));
    try {
      const port = await freePort();
      const base = `http://127.0.0.1:${port}`;
      const env = { PORT: String(port), DATA_DIR: dataDir, SHUTDOWN_GRACE_MS: '5000' };

      const first = start(env);
      await waitReady(base, first, 120_000);
      const seeded = (await (await fetch(`${base}/api/products`)).json()) as { total: number };
      expect(seeded.total).toBe(8);
      const login = await fetch(`${base}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'admin@commerce-kit.local', password: 'development-admin-password' }),
      });
      expect(login.status).toBe(200);
      const { accessToken } = (await login.json()) as { accessToken: string };
      const created = await fetch(`${base}/api/products`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
        body: JSON.stringify({ sku: 'KEEP-ME', name: 'Survives restarts', category: 'test', price: { amount: 100, currency: 'EUR' } }),
      });
      expect(created.status).toBe(201);

      first.child.kill('SIGTERM');
      // The signal takes effect when the process gets to it: poll, within the 5 s grace period.
      await waitUntil('readiness to go down after SIGTERM', async () => (await fetch(`${base}/health/ready`)).status === 503, 4000);
      expect((await fetch(`${base}/health/live`)).status).toBe(200);
      await first.exited;
      expect(first.output()).toContain('shutting down: readiness is down');

      const second = start(env);
      await waitReady(base, second, 120_000);
      const after = (await (await fetch(`${base}/api/products?q=survives`)).json()) as { items: { sku: string }[] };
      expect(after.items.map((p) => p.sku)).toEqual(['KEEP-ME']);
      const all = (await (await fetch(`${base}/api/products`)).json()) as { total: number };
      expect(all.total).toBe(9);
      second.child.kill('SIGTERM');
      await second.exited;
    } finally {
      // A failed step may leave a process writing into the data folder: stop it before removing
      // the folder, and never let the clean-up hide the failure itself.
      await Promise.all(
        children.filter((c) => c.exitCode === null && c.signalCode === null).map((c) => new Promise((ok) => (c.once('exit', ok), c.kill('SIGKILL')))),
      );
      try {
        rmSync(dataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
      } catch (error) {
        process.stderr.write(`could not remove ${dataDir}: ${String(error)}\n`);
      }
    }
  }, 300_000);
});
