// npm run bench:read-profile: where the monolith's CPU goes per GET /api/products/:id. Starts the
// monolith with --cpu-prof (LOG_LEVEL info, as npm run bench), loads it with autocannon
// (BENCH_CONNECTIONS, BENCH_SECONDS after a warm-up), stops it and prints the functions by self and
// by inclusive time in µs per request, from the .cpuprofile Node wrote. BENCH_NODE_ARGS adds node options.
import autocannon from 'autocannon';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { summariseProfile } from './support/cpu-profile';
import { processCpuSeconds } from './support/cpu-usage';
import { withDatabase } from './support/order-driver';
import { startApp, stop } from './support/processes';
import { printFigures, runBench } from './support/report';

const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const TOP = Number(process.env.BENCH_TOP ?? 40);
/** Extra node options for the monolith, e.g. `--max-semi-space-size=64`, to compare against the default. */
const NODE_ARGS = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'commerce-read-profile-'));
  let requests = 0;
  let cpuMs = 0;
  await withDatabase(async (url) => {
    const app = await startApp('monolith', { DATABASE_URL: url, LOG_LEVEL: 'info' }, [...NODE_ARGS, '--cpu-prof', `--cpu-prof-dir=${dir}`]);
    try {
      const page = (await (await fetch(`${app.base}/api/products?limit=1`)).json()) as { items: { id: string }[] };
      const target = `${app.base}/api/products/${page.items[0].id}`;
      await autocannon({ url: target, connections: CONNECTIONS, duration: 2 });
      const before = processCpuSeconds(app.child.pid!);
      const r = await autocannon({ url: target, connections: CONNECTIONS, duration: DURATION });
      cpuMs = (processCpuSeconds(app.child.pid!) - before) * 1000;
      requests = r.requests.total;
    } finally {
      await stop(app.child);
    }
  });
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no profile in ${dir}`);
  const summary = summariseProfile(JSON.parse(readFileSync(join(dir, file), 'utf8')), TOP);
  // The profile spans start-up and warm-up too: per request over every request the process answered is close enough for ranking.
  const per = (us: number) => (us / requests).toFixed(1);
  const rows = [
    ['profile', join(dir, file)],
    ['requests (measured run)', `${requests}, process CPU ${(cpuMs / requests).toFixed(3)} ms/request`],
    ['busy CPU µs per request (idle excluded, whole profile)', `${per(summary.busyUs)} (GC ${per(summary.gcUs)})`],
    ...summary.self.map(([name, us]) => [`self ${per(us)}`, name]),
    ...summary.inclusive.map(([name, us]) => [`incl ${per(us)}`, name]),
  ];
  printFigures(`commerce-kit read-path CPU profile (monolith, node ${process.version})`, rows);
}

runBench(main);
