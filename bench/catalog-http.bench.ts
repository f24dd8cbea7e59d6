// npm run bench: cold start (embedded and real Postgres), GET /api/products/:id throughput and
// p99 beside a bare Fastify + pg route, the same with tracing on (exporting over OTLP/HTTP to a
// local collector stand-in), and the monolith's resident memory after the load.
// The monolith and the bare server run side by side and are loaded in turn, BENCH_PAIRS times
// (3), the order swapped each pair, so that each ratio compares two runs a few seconds apart and
// the median is not one run's luck on a machine whose speed drifts by ±15 % within a minute.
// While the bare server is loaded the monolith idles beside it (its background loops: about 1 %
// of a core), and the other way round.
// Prints figures; asserts nothing. Needs Postgres at TEST_POSTGRES_URL (default 127.0.0.1:5432).
import autocannon from 'autocannon';
import { ChildProcess, spawn } from 'node:child_process';
import { processCpuSeconds } from './support/cpu-usage';
import { startOtlpStandIn } from './support/otlp-stand-in';
import { freePort, startApp, stop, waitFor } from './support/processes';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';

const ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const PAIRS = Math.max(1, Number(process.env.BENCH_PAIRS ?? 3));
const BARE = resolve(__dirname, 'bare-product-server.js');

/** Starts the monolith and returns the ms from spawn to a 200 on /health/ready. */
function startMonolith(env: Record<string, string>) {
  return startApp('monolith', { LOG_LEVEL: 'info', ...env });
}

type Load = Awaited<ReturnType<typeof measure>>;

/** Load after a warm-up; with `pid`, also the CPU the server process spent per request (robust on a busy machine). */
async function load(url: string, pid?: number) {
  await autocannon({ url, connections: CONNECTIONS, duration: 2 }); // warm-up
  return measure(url, pid);
}

async function measure(url: string, pid?: number) {
  const cpuBefore = pid ? processCpuSeconds(pid) : 0;
  const r = await autocannon({ url, connections: CONNECTIONS, duration: DURATION });
  const cpuMsPerRequest = pid ? ((processCpuSeconds(pid) - cpuBefore) * 1000) / Math.max(1, r.requests.total) : undefined;
  return { rps: Math.round(r.requests.average), p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.non2xx, cpuMsPerRequest };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'))!;
  return Math.round(Number(line.replace(/\D+/g, '')) / 1024);
}

async function main(): Promise<void> {
  const rows: string[][] = [];
  // Cold start, embedded: a fresh data directory (migrations + demo seed), then a second start on it.
  const dataDir = mkdtempSync(join(tmpdir(), 'commerce-bench-'));
  try {
    for (const label of ['embedded PGlite, first start', 'embedded PGlite, restart']) {
      const app = await startMonolith({ DATA_DIR: dataDir });
      rows.push(['cold start to ready', label, `${app.readyMs} ms`]);
      await stop(app.child);
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }

  const dbName = `commerce_bench_${Date.now()}`;
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${dbName}"`);
  const dbUrl = Object.assign(new URL(ADMIN_URL), { pathname: `/${dbName}` }).toString();
  let monolith: Awaited<ReturnType<typeof startMonolith>> | undefined;
  let bare: ChildProcess | undefined;
  try {
    monolith = await startMonolith({ DATABASE_URL: dbUrl });
    rows.push(['cold start to ready', 'real Postgres, empty database', `${monolith.readyMs} ms`]);
    const page = (await (await fetch(`${monolith.base}/api/products?limit=1`)).json()) as { items: { id: string }[] };
    const id = page.items[0].id;

    // The bare server beside the monolith on the same database, both warmed up, then loaded in turn.
    const barePort = await freePort();
    bare = spawn(process.execPath, [BARE], { env: { PATH: process.env.PATH ?? '', DATABASE_URL: dbUrl, PORT: String(barePort) }, stdio: 'ignore' });
    const kitUrl = `${monolith.base}/api/products/${id}`;
    const bareUrl = `http://127.0.0.1:${barePort}/api/products/${id}`;
    await waitFor(bareUrl, bare);
    await load(kitUrl, monolith.child.pid);
    await load(bareUrl, bare.pid);
    const pairs: { kit: Load; baseline: Load }[] = [];
    for (let i = 0; i < PAIRS; i++) {
      const kitFirst = i % 2 === 0;
      const first = await measure(kitFirst ? kitUrl : bareUrl, kitFirst ? monolith.child.pid : bare.pid);
      const second = await measure(kitFirst ? bareUrl : kitUrl, kitFirst ? bare.pid : monolith.child.pid);
      pairs.push(kitFirst ? { kit: first, baseline: second } : { kit: second, baseline: first });
    }
    const rss = rssMiB(monolith.child.pid!);
    await stop(bare);
    bare = undefined;
    const ratios = pairs.map((p) => Math.round((p.kit.rps / p.baseline.rps) * 100));
    const cpuRatios = pairs.map((p) => Math.round((p.baseline.cpuMsPerRequest! / p.kit.cpuMsPerRequest!) * 100));
    // The pair whose ratio is the median stands for the run in the rows below.
    const { kit } = pairs[ratios.indexOf(median(ratios))];

    // The same load with tracing on: an HTTP server span, the bus's spans and the SQL spans per request.
    await stop(monolith.child);
    const collector = await startOtlpStandIn();
    monolith = await startMonolith({ DATABASE_URL: dbUrl, OTEL_EXPORTER_OTLP_ENDPOINT: collector.url });
    const traced = await load(`${monolith.base}/api/products/${id}`, monolith.child.pid);
    await stop(monolith.child);
    monolith = undefined;
    const exported = collector.spans();
    await collector.close();

    const fmt = (r: Load) =>
      `${r.rps} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, errors ${r.errors}${r.cpuMsPerRequest === undefined ? '' : `, CPU ${r.cpuMsPerRequest.toFixed(2)} ms/request`}`;
    pairs.forEach((p, i) => {
      rows.push(['GET /api/products/:id', `pair ${i + 1}: monolith (Nest + bus + validation + logs)`, fmt(p.kit)]);
      rows.push(['GET /api/products/:id', `pair ${i + 1}: bare Fastify + pg, same query and JSON`, fmt(p.baseline)]);
    });
    rows.push(['GET /api/products/:id', 'monolith, tracing on (OTLP to a local stand-in)', `${fmt(traced)}, ${exported} spans exported`]);
    rows.push([
      'GET /api/products/:id',
      'tracing on / off (median pair)',
      `${Math.round((traced.rps / kit.rps) * 100)} % of the throughput, ${Math.round((traced.cpuMsPerRequest! / kit.cpuMsPerRequest!) * 100)} % of the CPU per request`,
    ]);
    rows.push(['GET /api/products/:id', 'monolith / bare', `${median(ratios)} % of the throughput (median; pairs: ${ratios.join(', ')} %)`]);
    // Less at the mercy of what else the machine runs than throughput: what one core does per request.
    rows.push([
      'GET /api/products/:id',
      'bare / monolith CPU per request',
      `${median(cpuRatios)} % (median; pairs: ${cpuRatios.join(', ')} %): the monolith's throughput on one core, relative to the bare server's`,
    ]);
    rows.push(['resident memory', 'monolith after the load', `${rss} MiB`]);
  } finally {
    if (monolith) await stop(monolith.child);
    if (bare) await stop(bare);
    await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    await admin.end();
  }

  process.stdout.write(
    `\ncommerce-kit catalog bench (${CONNECTIONS} connections, ${DURATION} s per run, ${PAIRS} alternating pairs, node ${process.version})\n\n`,
  );
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i].length)));
  for (const r of rows) process.stdout.write(`${r.map((c, i) => c.padEnd(widths[i])).join('  |  ')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${String(error)}\n`);
  process.exit(1);
});
