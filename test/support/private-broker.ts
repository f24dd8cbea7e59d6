import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { connect } from 'amqplib';
import { freePort } from './topology';

const run = promisify(execFile);
/** The RabbitMQ scripts without Debian's wrapper, which would switch to the rabbitmq user and its fixed node. */
const BIN = process.env.RABBITMQ_BIN_DIR ?? '/usr/lib/rabbitmq/bin';

/** A RabbitMQ node of a test's own, on a free loopback port, that the test may stop and start. */
export interface PrivateBroker {
  url: string;
  stopApp(): Promise<void>;
  startApp(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts a throw-away RabbitMQ node (its own name, port, data and logs under a temporary folder),
 * so that a fault test can stop the broker without touching the shared one that other suites,
 * other test runs or a developer's apps are using.
 */
export async function startPrivateBroker(): Promise<PrivateBroker> {
  if (!existsSync(join(BIN, 'rabbitmq-server')))
    throw new Error(`RabbitMQ's server scripts are not in ${BIN}: install rabbitmq-server, or set RABBITMQ_BIN_DIR.`);
  const dir = mkdtempSync(join(tmpdir(), 'commerce-broker-'));
  const [port, distPort] = [await freePort(), await freePort()];
  const node = `commerce${port}@localhost`;
  writeFileSync(join(dir, 'rabbitmq.conf'), `listeners.tcp.local = 127.0.0.1:${port}\n`);
  writeFileSync(join(dir, 'enabled_plugins'), '[].\n');
  writeFileSync(join(dir, 'rabbitmq-env.conf'), '');
  const env = {
    ...process.env,
    RABBITMQ_NODENAME: node,
    RABBITMQ_NODE_PORT: String(port),
    RABBITMQ_DIST_PORT: String(distPort),
    RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: join(dir, 'log'),
    RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq'),
    RABBITMQ_ADVANCED_CONFIG_FILE: join(dir, 'advanced.config'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
    RABBITMQ_CONF_ENV_FILE: join(dir, 'rabbitmq-env.conf'),
    RABBITMQ_PID_FILE: join(dir, 'pid'),
    ERL_EPMD_ADDRESS: '127.0.0.1',
  };
  const ctl = (...args: string[]) => run(join(BIN, 'rabbitmqctl'), ['-n', node, ...args], { env, timeout: 120_000 }).then(() => undefined);
  const url = `amqp://guest:guest@127.0.0.1:${port}`;
  const answers = async (timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        await (await connect(url, { timeout: 2000 })).close();
        return;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`the private RabbitMQ node ${node} did not answer on ${port} within ${timeoutMs} ms: ${String(error)}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  };
  await run(join(BIN, 'rabbitmq-server'), ['-detached'], { env, timeout: 60_000 });
  await answers(90_000);
  return {
    url,
    stopApp: () => ctl('stop_app'),
    startApp: async () => {
      await ctl('start_app');
      await answers(90_000);
    },
    close: async () => {
      await ctl('stop').catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
