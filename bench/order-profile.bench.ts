// npm run bench:order-profile: where the monolith's CPU goes per order. Starts the monolith with
// --cpu-prof, places BENCH_ORDERS orders from BENCH_CONCURRENCY clients, stops it and prints the
// functions by self and by inclusive time (ms per order), from the .cpuprofile Node wrote.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
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

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'commerce-order-profile-'));
  let confirmed = 0;
  await withDatabase(async (url) => {
    const app = await startApp(
      'monolith',
      {
        DATABASE_URL: url,
        SEED_DEMO_CATALOG: 'false',
        MAIL_DIR: '/tmp/commerce-bench-mail',
      },
      ['--cpu-prof', `--cpu-prof-dir=${dir}`],
    );
    const pg = new Client({ connectionString: url });
    await pg.connect();
    try {
      const { customer, body } = await prepare(app.base);
      const ids = await placeConcurrently(app.base, customer, body, ORDERS, CONCURRENCY);
      confirmed = (await settle(pg, ids)).confirmed;
      await new Promise((r) => setTimeout(r, 500));
    } finally {
      await pg.end();
      await stop(app.child);
    }
  });
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no profile in ${dir}`);
  const summary = summariseProfile(JSON.parse(readFileSync(join(dir, file), 'utf8')), TOP);
  const per = (us: number) => (us / 1000 / ORDERS).toFixed(3);
  const rows = [
    ['profile', join(dir, file)],
    ['orders', `${confirmed}/${ORDERS} confirmed`],
    ['busy CPU ms per order (idle and GC excluded)', `${per(summary.busyUs)} (GC ${per(summary.gcUs)})`],
    ...summary.self.map(([name, us]) => [`self ${per(us)}`, name]),
    ...summary.inclusive.map(([name, us]) => [`incl ${per(us)}`, name]),
  ];
  printFigures(`commerce-kit order CPU profile (monolith, node ${process.version})`, rows);
}

runBench(main);
