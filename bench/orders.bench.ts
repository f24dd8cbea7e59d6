// npm run bench:orders: for the monolith (in process, real Postgres) and the split topology over
// RabbitMQ: the saturating rate (orders per second to a final state, closed loop), the cost per
// order (CPU seconds of the Node processes, each one's in the split, of Postgres and of the
// RabbitMQ broker; writing transactions; the Node processes' write syscalls), and POST ->
// CONFIRMED p50/p99 with the cost per order under open-loop arrivals at 25, 50 and 75 % of the
// saturating rate; each with tracing off and on (every span exported over OTLP/HTTP to a local
// collector stand-in); beside the raw Postgres commit rate measured in the same run, after a
// warm-up of BENCH_WARMUP_ORDERS orders (300) whose rate and cost are printed but not counted.
// Then the split's rate over the monolith's in back-to-back pairs (ADR 37). Prints figures;
// asserts nothing.
import { availableParallelism } from 'node:os';
import { Client, Pool } from 'pg';
import { cpuMeter } from './support/cpu-usage';
import { startOtlpStandIn } from './support/otlp-stand-in';
import { nextXid, percentile, placeConcurrently, placeOne, prepare, settle, withDatabase } from './support/order-driver';
import { startTopology } from './support/processes';
import { printFigures, runBench } from './support/report';

const ORDERS = Number(process.env.BENCH_ORDERS ?? 300);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 20);
const PHASE_SECONDS = Number(process.env.BENCH_PHASE_SECONDS ?? 10);
/** Orders placed (closed loop) before anything is measured, so the figures are the warm process's, as the read bench's 2 s warm-up does. */
const WARMUP = Number(process.env.BENCH_WARMUP_ORDERS ?? 300);
/** BENCH_TOPOLOGIES / BENCH_TRACING pick some of the runs (comma-separated), default all: monolith,split and off,on. */
const TOPOLOGIES = (process.env.BENCH_TOPOLOGIES ?? 'monolith,split').split(',').map((t) => t.trim());
const TRACING = (process.env.BENCH_TRACING ?? 'off,on').split(',').map((t) => t.trim());
/** Back-to-back monolith/split pairs for the ratio (BENCH_RATIO_PAIRS, 0 for none). */
const RATIO_PAIRS = Number(process.env.BENCH_RATIO_PAIRS ?? 3);

async function commitRate(url: string): Promise<string> {
  const pool = new Pool({ connectionString: url, max: 8 });
  pool.on('error', () => undefined);
  await pool.query(`CREATE TABLE commit_probe (id serial PRIMARY KEY, at timestamptz DEFAULT now())`);
  const n = 3000;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next++ < n) await pool.query(`INSERT INTO commit_probe DEFAULT VALUES`);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await pool.end();
  return `${Math.round(n / seconds)} commits/s (single-row INSERT, autocommit, 8 connections)`;
}

/** A running topology under test: where to send requests, its database, and its Node processes. */
type Topology = 'monolith' | 'split';

/** A run's figures, and its saturating orders/s for the split / monolith ratio. */
interface Driven {
  rows: string[][];
  rate: number;
}

interface Target {
  base: string;
  url: string;
  pids: number[];
  /** The app each pid runs, for the CPU per process. */
  names: string[];
}

/**
 * Closed loop to saturation (CONCURRENCY clients, each placing its next order when the last was
 * answered), then open loops at 25, 50 and 75 % of that rate: arrivals on a fixed schedule,
 * whatever the answers, so queueing shows in the latency instead of slowing the load down.
 */
async function driveOrders(target: Target, label: string, openLoop = true): Promise<Driven> {
  const { customer, body } = await prepare(target.base);
  const pg = new Client({ connectionString: target.url });
  await pg.connect();
  try {
    const rows: string[][] = [];
    if (WARMUP > 0) {
      // A cold process spends much of its first few hundred orders compiling (V8's optimising
      // compiler runs beside the main thread) and loading lazily: that is start-up, not the flow's cost.
      const warm = cpuMeter(() => target.pids);
      warm.start();
      const began = performance.now();
      const warmed = await settle(pg, await placeConcurrently(target.base, customer, body, WARMUP, CONCURRENCY));
      const cpu = warm.stop();
      rows.push([
        `${label}: warm-up, not counted`,
        `${(WARMUP / ((performance.now() - began) / 1000)).toFixed(1)} orders/s (${warmed.confirmed}/${WARMUP} confirmed), ` +
          `CPU ${((cpu.node * 1000) / WARMUP).toFixed(1)} ms in Node + ${((cpu.postgres * 1000) / WARMUP).toFixed(1)} ms in Postgres + ` +
          `${((cpu.broker * 1000) / WARMUP).toFixed(1)} ms in RabbitMQ per order`,
      ]);
    }
    const meter = cpuMeter(() => target.pids);
    const xidBefore = await nextXid(pg);
    meter.start();
    const started = performance.now();
    const ids = await placeConcurrently(target.base, customer, body, ORDERS, CONCURRENCY);
    const saturated = await settle(pg, ids);
    const seconds = (performance.now() - started) / 1000;
    const cpu = meter.stop();
    const xids = (await nextXid(pg)) - xidBefore - 1;
    const rate = ORDERS / seconds;
    const perOrder = (x: number) => `${((x * 1000) / ORDERS).toFixed(1)} ms`;
    rows.push(
      [
        `${label}: saturating, closed loop`,
        `${rate.toFixed(1)} orders/s to a final state (${saturated.confirmed}/${ORDERS} confirmed, ${CONCURRENCY} clients); ` +
          `POST -> CONFIRMED p50 ${percentile(saturated.latencies, 0.5)} ms, p99 ${percentile(saturated.latencies, 0.99)} ms`,
      ],
      [
        `${label}: cost per order`,
        `CPU ${perOrder(cpu.node)} in Node (${target.pids.length} process${target.pids.length > 1 ? 'es' : ''}) + ${perOrder(cpu.postgres)} in Postgres + ` +
          `${perOrder(cpu.broker)} in RabbitMQ; ${(xids / ORDERS).toFixed(1)} writing transactions (transaction ids consumed, cluster-wide); ` +
          `${(cpu.nodeWrites / ORDERS).toFixed(1)} write syscalls by the Node processes`,
      ],
      ...(target.pids.length > 1 ? [[`${label}: Node CPU per process`, target.names.map((name, i) => `${name} ${perOrder(cpu.each[i])}`).join(', ')]] : []),
      [
        `${label}: ceiling at this cost`,
        // Every core busy with nothing but this flow's Node, Postgres and broker work (the load generator's own CPU not counted).
        `${((availableParallelism() * ORDERS) / (cpu.node + cpu.postgres + cpu.broker)).toFixed(0)} orders/s on ${availableParallelism()} cores (Node + Postgres + RabbitMQ CPU per order); ` +
          `${(ORDERS / cpu.node).toFixed(0)} orders/s per core given to Node alone`,
      ],
    );
    for (const share of openLoop ? [0.25, 0.5, 0.75] : []) {
      const perSecond = rate * share;
      const count = Math.max(20, Math.round(perSecond * PHASE_SECONDS));
      // The cost per order at this rate too: batches are smaller than at saturation, so each order pays more.
      const phaseMeter = cpuMeter(() => target.pids);
      const phaseXid = await nextXid(pg);
      phaseMeter.start();
      const origin = performance.now();
      const placing: Promise<string | undefined>[] = [];
      for (let i = 0; i < count; i++) {
        const wait = origin + (i * 1000) / perSecond - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        placing.push(placeOne(target.base, customer, body));
      }
      const phase = (await Promise.all(placing)).filter((id): id is string => id !== undefined);
      const { confirmed, latencies } = await settle(pg, phase);
      const phaseCpu = phaseMeter.stop();
      const phaseXids = (await nextXid(pg)) - phaseXid - 1;
      const per = (x: number) => `${((x * 1000) / count).toFixed(1)}`;
      rows.push([
        `${label}: open loop at ${share * 100} %`,
        `${perSecond.toFixed(1)} orders/s offered, ${confirmed}/${count} confirmed; POST -> CONFIRMED p50 ${percentile(latencies, 0.5)} ms, p99 ${percentile(latencies, 0.99)} ms; ` +
          `per order: CPU ${per(phaseCpu.node)} ms Node + ${per(phaseCpu.postgres)} Postgres + ${per(phaseCpu.broker)} RabbitMQ, ` +
          `${(phaseXids / count).toFixed(1)} writing transactions`,
      ]);
    }
    return { rows, rate };
  } finally {
    await pg.end();
  }
}

/**
 * One topology on a scratch database: the monolith, or every service `npm run start:split` runs
 * (reporting included: the monolith runs its module too, so both do the same work per order).
 */
async function runTopology(topology: Topology, label: string, extra: Record<string, string>, openLoop = true): Promise<Driven> {
  return withDatabase(async (url) => {
    const running = await startTopology(topology, { DATABASE_URL: url, SEED_DEMO_CATALOG: 'false', MAIL_DIR: '/tmp/commerce-bench-mail', ...extra });
    try {
      return await driveOrders({ base: running.base, url, pids: running.children.map((c) => c.pid!), names: running.apps }, label, openLoop);
    } finally {
      await running.stop();
    }
  });
}

/**
 * The split's rate over the monolith's, measured in back-to-back pairs (tracing off, saturating
 * run only, after the warm-up), the order swapped each pair: the runs above are minutes apart, and
 * this machine's speed moved by a third within minutes, which the ratio of two distant runs takes
 * for a difference between the topologies. The median of the pairs is the figure to quote.
 */
async function ratioInPairs(): Promise<string[][]> {
  const rows: string[][] = [];
  const ratios: number[] = [];
  for (let pair = 1; pair <= RATIO_PAIRS; pair++) {
    const order: Topology[] = pair % 2 === 1 ? ['monolith', 'split'] : ['split', 'monolith'];
    const rates: Record<string, number> = {};
    for (const topology of order) {
      process.stderr.write(`split / monolith, pair ${pair} of ${RATIO_PAIRS}: ${topology}\n`);
      rates[topology] = (await runTopology(topology, `pair ${pair}, ${topology}`, {}, false)).rate;
    }
    ratios.push(rates.split / rates.monolith);
    rows.push([
      `split / monolith, pair ${pair} (${order.join(' then ')})`,
      `${Math.round(100 * (rates.split / rates.monolith))} %: monolith ${rates.monolith.toFixed(1)}, split ${rates.split.toFixed(1)} orders/s`,
    ]);
  }
  if (ratios.length > 0) {
    const sorted = [...ratios].sort((a, b) => a - b);
    rows.push([`split / monolith, median of ${ratios.length} pairs`, `${Math.round(100 * sorted[Math.floor(sorted.length / 2)])} % (tracing off)`]);
  }
  return rows;
}

async function main(): Promise<void> {
  const rows: string[][] = [];
  process.stderr.write('measuring the raw commit rate\n');
  rows.push(['raw Postgres commit rate', await withDatabase(commitRate)]);
  const collector = await startOtlpStandIn();
  /** Saturating orders/s by topology and tracing, for the ratio of the long runs. */
  const rates = new Map<string, number>();
  try {
    for (const [topology, name] of [
      ['monolith', 'monolith, in process'],
      ['split', 'split over RabbitMQ'],
    ] as const) {
      if (!TOPOLOGIES.includes(topology)) continue;
      if (TRACING.includes('off')) {
        process.stderr.write(`driving orders: ${name}, tracing off\n`);
        const run = await runTopology(topology, `${name}, tracing off`, {});
        rows.push(...run.rows);
        rates.set(`${topology} off`, run.rate);
      }
      if (TRACING.includes('on')) {
        process.stderr.write(`driving orders: ${name}, tracing on\n`);
        const before = collector.spans();
        const run = await runTopology(topology, `${name}, tracing on`, { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url });
        rows.push(...run.rows, [`${name}, tracing on: spans exported`, `${collector.spans() - before} (every request sampled)`]);
        rates.set(`${topology} on`, run.rate);
      }
    }
  } finally {
    await collector.close();
  }
  for (const tracing of ['off', 'on']) {
    const monolithRate = rates.get(`monolith ${tracing}`);
    const splitRate = rates.get(`split ${tracing}`);
    if (monolithRate && splitRate) {
      rows.push([`split / monolith, tracing ${tracing}`, `${Math.round((100 * splitRate) / monolithRate)} % (saturating orders/s, runs minutes apart)`]);
    }
  }
  if (TOPOLOGIES.includes('monolith') && TOPOLOGIES.includes('split')) rows.push(...(await ratioInPairs()));
  printFigures(`commerce-kit order flow bench (${ORDERS} orders, node ${process.version}, ${new Date().toISOString()})`, rows);
}

runBench(main);
