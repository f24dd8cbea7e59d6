import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { createScratchDatabase, ScratchDatabase } from '../support/postgres';
import { RunningTopology, startTopology } from '../support/topology';

// The README's shell examples run as written (only the host changes) against a started monolith.
const README = readFileSync(resolve(__dirname, '../../README.md'), 'utf8');
const section = README.slice(README.indexOf('## Trying the API'), README.indexOf('\n## ', README.indexOf('## Trying the API') + 1));
const blocks = [...section.matchAll(/```bash\n([\s\S]*?)```/g)].map((m) => m[1]);
// Every curl call also reports its status on stderr and ends its body with a newline on stdout.
const CURL = `curl() { command curl --max-time 20 -w '\\n%{stderr}%{http_code} %{method} %{url_effective}\\n' "$@"; }`;

describe("README's shell examples", () => {
  let scratch: ScratchDatabase;
  let running: RunningTopology;

  beforeAll(async () => {
    scratch = await createScratchDatabase('commerce_e2e_readme');
    running = await startTopology('monolith', scratch.url, { SEED_DEMO_CATALOG: 'true' });
  });

  afterAll(async () => {
    await running?.close();
    await scratch?.drop();
  });

  it('has examples under "Trying the API"', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(2);
  });

  it('answer 2xx with JSON, and place an order the reader can then read', async () => {
    const script = ['set -euo pipefail', CURL, ...blocks, 'echo "ORDER=$ORDER"']
      .join('\n')
      .replaceAll('localhost:3000', running.baseUrl.replace('http://', ''));
    const { stdout, stderr } = await promisify(execFile)('bash', ['-c', script], { timeout: 60_000 });
    const calls = stderr.trim().split('\n');
    expect(calls.filter((c) => !/^2\d\d /.test(c))).toEqual([]);
    expect(calls.length).toBe(script.match(/\bcurl -s\b/g)!.length);
    const lines = stdout.trim().split('\n');
    const order = lines.pop()!.replace('ORDER=', '');
    expect(order).toMatch(/^[0-9a-f-]{36}$/);
    const bodies = lines.filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(bodies.find((b) => b.id === order)).toMatchObject({ id: order, email: 'ada@example.com', status: expect.any(String), history: expect.any(Array) });
  });
});
