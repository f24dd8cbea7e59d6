// npm run bench:order-profile: where the CPU goes per order. Starts the monolith (or, with
// BENCH_TOPOLOGY=split, every service and the gateway over RabbitMQ) with --cpu-prof, places
// BENCH_ORDERS orders from BENCH_CONCURRENCY clients, stops the processes and prints, for each, its
// busy CPU and its functions by self and by inclusive time (ms per order), from the .cpuprofile
// Node wrote. A profile covers the whole life of a process, start-up included.
import { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { summariseProfile } from './support/cpu-profile';
import { placeConcurrently, prepare, settle, withDatabase } from './support/order-driver';
import { startApp, stop } from './support/processes';
import { printFigures, runBench } from './support/report';

const ORDERS = Number(process.env.BENCH_ORDERS ?? 400);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 20);
const TOP = Number(process.env.BENCH_TOP ?? 40);
const TOPOLOGY = process.env.BENCH_TOPOLOGY ?? 'monolith';
const RABBITMQ_URL = process.env.TEST_RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
/** Every service `npm run start:split` runs, as bench:orders starts them. */
const SERVICES = ['identity', 'catalog', 'ordering', 'payments', 'shipping', 'notifications', 'reporting'];

async function main(): Promise<void> {
  if (TOPOLOGY !== 'monolith' && TOPOLOGY !== 'split') throw new Error(`BENCH_TOPOLOGY is monolith or split, not ${TOPOLOGY}`);
  const dir = mkdtempSync(join(tmpdir(), 'commerce-order-profile-'));
  const apps = TOPOLOGY === 'split' ? [...SERVICES, 'gateway'] : ['monolith'];
  let confirmed = 0;
  await withDatabase(async (url) => {
    const env: Record<string, string> = { DATABASE_URL: url, SEED_DEMO_CATALOG: 'false', MAIL_DIR: '/tmp/commerce-bench-mail' };
    if (TOPOLOGY === 'split') Object.assign(env, { TRANSPORT: 'rmq', RABBITMQ_URL, RMQ_PREFIX: `prof${randomBytes(3).toString('hex')}` });
    const children: ChildProcess[] = [];
    const pg = new Client({ connectionString: url });
    try {
      let base = '';
      for (const app of apps) {
        mkdirSync(join(dir, app));
        const started = await startApp(app, env, ['--cpu-prof', `--cpu-prof-dir=${join(dir, app)}`]);
        children.push(started.child);
        base = started.base;
      }
      await pg.connect();
      const { customer, body } = await prepare(base);
      const ids = await placeConcurrently(base, customer, body, ORDERS, CONCURRENCY);
      confirmed = (await settle(pg, ids)).confirmed;
      await new Promise((r) => setTimeout(r, 500));
    } finally {
      await pg.end().catch(() => undefined);
      await Promise.all(children.map(stop));
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
