// npm run bench:order-profile: where the CPU goes per order. Starts the monolith (or, with
// BENCH_TOPOLOGY=split, every service and the gateway over RabbitMQ) with --cpu-prof, places
// BENCH_ORDERS orders from BENCH_CONCURRENCY clients, stops the processes and prints, for each, its
// busy CPU and its functions by self and by inclusive time (ms per order), from the .cpuprofile
// Node wrote. A profile covers the whole life of a process, start-up included.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { summariseProfile } from './support/cpu-profile';
import { placeConcurrently, prepare, settle, withDatabase } from './support/order-driver';
import { startTopology } from './support/processes';
import { printFigures, runBench } from './support/report';

const ORDERS = Number(process.env.BENCH_ORDERS ?? 400);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 20);
const TOP = Number(process.env.BENCH_TOP ?? 40);
const TOPOLOGY = process.env.BENCH_TOPOLOGY ?? 'monolith';

async function main(): Promise<void> {
  if (TOPOLOGY !== 'monolith' && TOPOLOGY !== 'split') throw new Error(`BENCH_TOPOLOGY is monolith or split, not ${TOPOLOGY}`);
  const dir = mkdtempSync(join(tmpdir(), 'commerce-order-profile-'));
  let apps: string[] = [];
  let confirmed = 0;
  await withDatabase(async (url) => {
    const running = await startTopology(TOPOLOGY, { DATABASE_URL: url, SEED_DEMO_CATALOG: 'false', MAIL_DIR: '/tmp/commerce-bench-mail' }, (app) => {
      mkdirSync(join(dir, app));
      return ['--cpu-prof', `--cpu-prof-dir=${join(dir, app)}`];
    });
    apps = running.apps;
    const pg = new Client({ connectionString: url });
    try {
      await pg.connect();
      const { customer, body } = await prepare(running.base);
      const ids = await placeConcurrently(running.base, customer, body, ORDERS, CONCURRENCY);
      confirmed = (await settle(pg, ids)).confirmed;
      await new Promise((r) => setTimeout(r, 500));
    } finally {
      await pg.end().catch(() => undefined);
      await running.stop();
    }
  });
  const per = (us: number) => (us / 1000 / ORDERS).toFixed(3);
  const rows: string[][] = [['orders', `${confirmed}/${ORDERS} confirmed`]];
  const summaries = apps.map((app) => {
    const file = readdirSync(join(dir, app)).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error(`no profile in ${join(dir, app)}`);
    return { app, file: join(dir, app, file), summary: summariseProfile(JSON.parse(readFileSync(join(dir, app, file), 'utf8')), TOP) };
  });
  const total = summaries.reduce((sum, s) => sum + s.summary.busyUs, 0);
  rows.push([`busy CPU ms per order, all ${apps.length} process(es) (idle excluded, start-up included)`, per(total)]);
  for (const { app, file, summary } of summaries) {
    rows.push(
      [`${app}: profile`, file],
      [`${app}: busy CPU ms per order`, `${per(summary.busyUs)} (GC ${per(summary.gcUs)})`],
      ...summary.self.map(([name, us]) => [`${app}: self ${per(us)}`, name]),
      ...summary.inclusive.map(([name, us]) => [`${app}: incl ${per(us)}`, name]),
    );
  }
  printFigures(`commerce-kit order CPU profile (${TOPOLOGY}, node ${process.version})`, rows);
}

runBench(main);
