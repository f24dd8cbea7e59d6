// npm run start:split: the gateway and every service as separate local processes over RabbitMQ,
// with prefixed logs; Ctrl-C (or SIGTERM) stops them all. Needs RabbitMQ (RABBITMQ_URL).
// Each service uses DATABASE_URL (or <CONTEXT>_DATABASE_URL); without one, its own embedded
// Postgres under .data/<service>.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

const SERVICES = [
  { name: 'identity', main: 'dist/apps/identity/main.js', port: 3100 },
  { name: 'catalog', main: 'dist/apps/catalog/main.js', port: 3101 },
  { name: 'ordering', main: 'dist/apps/ordering/main.js', port: 3102 },
  { name: 'payments', main: 'dist/apps/payments/main.js', port: 3103 },
  { name: 'shipping', main: 'dist/apps/shipping/main.js', port: 3104 },
  { name: 'notifications', main: 'dist/apps/notifications/main.js', port: 3105 },
  { name: 'reporting', main: 'dist/apps/reporting/main.js', port: 3106 },
  { name: 'gateway', main: 'dist/apps/gateway/main.js', port: Number(process.env.PORT ?? 3000) },
];

const width = Math.max(...SERVICES.map((s) => s.name.length));
const children = new Map();
let stopping = false;

function prefixLines(name, stream, out) {
  let buffer = '';
  stream.on('data', (chunk) => {
    buffer += chunk.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop();
    for (const line of lines) out.write(`[${name.padEnd(width)}] ${line}\n`);
  });
}

function stopAll(code) {
  if (stopping) return;
  stopping = true;
  for (const child of children.values()) child.kill('SIGTERM');
  const force = setTimeout(() => children.forEach((c) => c.kill('SIGKILL')), 15_000);
  force.unref();
  process.exitCode = code;
}

for (const service of SERVICES) {
  const child = spawn(process.execPath, [resolve(service.main)], {
    env: {
      NODE_ENV: 'development',
      ...process.env,
      TRANSPORT: 'rmq',
      PORT: String(service.port),
      DATA_DIR: process.env.DATA_DIR ? `${process.env.DATA_DIR}/${service.name}` : `.data/${service.name}`,
      LOG_PRETTY: process.env.LOG_PRETTY ?? (process.stdout.isTTY ? 'true' : 'false'),
    },
  });
  children.set(service.name, child);
  prefixLines(service.name, child.stdout, process.stdout);
  prefixLines(service.name, child.stderr, process.stderr);
  child.on('exit', (code, signal) => {
    children.delete(service.name);
    if (!stopping) {
      process.stderr.write(`[${service.name.padEnd(width)}] exited (${signal ?? code}); stopping the others\n`);
      stopAll(1);
    }
  });
}

process.on('SIGINT', () => stopAll(0));
process.on('SIGTERM', () => stopAll(0));
