// npm run bench*: runs a built bench (node scripts/bench.mjs dist/bench/<name>.js) on the Node
// major the images run (the Dockerfile's `FROM node:<major>`, as `.ci/node-lts --major` reads it),
// so the figures are those of the runtime the kit ships (ADR 35). When this machine's node is
// another major, that Node is fetched once from the npm registry by .ci/node-lts (as CI's second
// run does) and the bench says so. BENCH_NODE=current runs it on this machine's node instead.
// Every app a bench starts runs on the bench's own node (process.execPath), and so do the bare
// baselines beside them.
import { execFileSync, spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const [script, ...args] = process.argv.slice(2);
if (!script) {
  process.stderr.write('usage: node scripts/bench.mjs dist/bench/<name>.js [args]\n');
  process.exit(2);
}

const nodeLts = (...flags) =>
  execFileSync('bash', [resolve(root, '.ci/node-lts'), ...flags], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
const imageMajor = nodeLts('--major');
const currentMajor = process.versions.node.split('.')[0];

let node = process.execPath;
if (process.env.BENCH_NODE !== 'current' && currentMajor !== imageMajor) {
  try {
    const bin = nodeLts();
    node = resolve(bin, 'node');
    const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
    process.stderr.write(`measuring on node ${version}, the major the images run (BENCH_NODE=current measures on this machine's ${process.version})\n`);
  } catch (error) {
    process.stderr.write(`could not fetch node ${imageMajor} (${String(error)}): measuring on this machine's ${process.version}\n`);
  }
}

const run = spawnSync(node, [script, ...args], { stdio: 'inherit', env: { ...process.env, PATH: `${dirname(node)}:${process.env.PATH ?? ''}` } });
process.exit(run.status ?? 1);
