import { Channel, ChannelModel, connect } from 'amqplib';
import { randomUUID } from 'node:crypto';
import { createScratchDatabase, ScratchDatabase } from '../support/postgres';
import { deleteTopology, TEST_RABBITMQ_URL, uniquePrefix } from '../support/rabbitmq';
import { startTcpProxy, TcpProxy } from '../support/tcp-proxy';
import { ServiceProcess, spawnService, stopService, TEST_AUTH } from '../support/topology';
import { waitUntil } from '../support/wait-until';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Rewrites a URL to reach its host through a local proxy port. */
function throughProxy(url: string, port: number): string {
  const proxied = new URL(url);
  proxied.hostname = '127.0.0.1';
  proxied.port = String(port);
  return proxied.toString();
}

describe('a service started before its broker or database is reachable consumes nothing until ready', () => {
  const prefix = uniquePrefix();
  const queries = `${prefix}.catalog.queries`;
  let scratch: ScratchDatabase;
  let client: ChannelModel;
  let channel: Channel;
  let replyQueue: string;
  const replies = new Map<string, unknown>();
  const running: ServiceProcess[] = [];
  const proxies: TcpProxy[] = [];

  const env = (overrides: Record<string, string>) => ({
    ...TEST_AUTH,
    DATABASE_URL: scratch.url,
    TRANSPORT: 'rmq',
    RABBITMQ_URL: TEST_RABBITMQ_URL,
    RMQ_PREFIX: prefix,
    SEED_DEMO_CATALOG: 'false',
    ...overrides,
  });
  const spawn = async (overrides: Record<string, string>) => {
    const service = await spawnService('catalog', env(overrides));
    running.push(service);
    return service;
  };
  const proxy = async (port: number) => {
    const started = await startTcpProxy(port);
    proxies.push(started);
    return started;
  };
  /** Queues a catalog query before any catalog process has connected, addressed to our reply queue. */
  const queueQuery = async () => {
    const correlationId = randomUUID();
    const envelope = {
      id: randomUUID(),
      type: 'catalog.get-products.v1',
      kind: 'query',
      correlationId,
      timestamp: new Date().toISOString(),
      payload: { ids: [] },
    };
    channel.sendToQueue(queries, Buffer.from(JSON.stringify(envelope)), { replyTo: replyQueue, correlationId, type: envelope.type, persistent: true });
    return correlationId;
  };
  const readiness = (service: ServiceProcess) =>
    fetch(`${service.baseUrl}/health/ready`).then(
      async (r) => ({ status: r.status, body: await r.text() }),
      () => ({ status: 0, body: 'not listening' }),
    );
  const waiting = async () => (await channel.checkQueue(queries)).messageCount;

  beforeAll(async () => {
    scratch = await createScratchDatabase('commerce_fault_start');
    client = await connect(TEST_RABBITMQ_URL);
    channel = await client.createChannel();
    await channel.assertQueue(queries, { durable: true });
    replyQueue = (await channel.assertQueue('', { exclusive: true })).queue;
    await channel.consume(replyQueue, (msg) => msg && replies.set(String(msg.properties.correlationId), JSON.parse(msg.content.toString())), { noAck: true });
  });

  afterAll(async () => {
    for (const service of running) await stopService(service, 'SIGKILL');
    for (const p of proxies) await p.stop();
    await client?.close().catch(() => undefined);
    await deleteTopology(prefix, ['catalog'], [1000, 5000, 25000]);
    await scratch?.drop();
  });

  it('with the broker down: up but not ready, the waiting query untouched; answered once the broker is reachable', async () => {
    const broker = await proxy(Number(new URL(TEST_RABBITMQ_URL).port || 5672));
    const correlationId = await queueQuery();
    const service = await spawn({ RABBITMQ_URL: throughProxy(TEST_RABBITMQ_URL, broker.port) });
    await waitUntil('readiness answering 503', async () => (await readiness(service)).status === 503, 60_000);
    for (let i = 0; i < 8; i++) {
      expect({ ready: (await readiness(service)).status, waiting: await waiting(), answered: replies.has(correlationId) }).toEqual({
        ready: 503,
        waiting: 1,
        answered: false,
      });
      await sleep(250);
    }
    broker.open();
    await waitUntil('readiness 200 once connected', async () => (await readiness(service)).status === 200, 60_000);
    await waitUntil('the waiting query answered', async () => replies.has(correlationId), 30_000);
    expect(replies.get(correlationId)).toMatchObject({ ok: true, result: { items: [] } });
    await stopService(service);
  }, 180_000);

  it('with the database down: does not start, consumes nothing; the query is answered once the database is back', async () => {
    const database = await proxy(Number(new URL(scratch.url).port || 5432));
    const correlationId = await queueQuery();
    const before = await waiting();
    const url = throughProxy(scratch.url, database.port);
    const first = await spawn({ DATABASE_URL: url });
    const outcome = await Promise.race([first.exited.then((code) => `exited ${code}`), sleep(60_000).then(() => 'still running')]);
    expect(outcome).toMatch(/^exited [1-9]/);
    const state = await channel.checkQueue(queries);
    expect({ waiting: state.messageCount, consumers: state.consumerCount, answered: replies.has(correlationId) }).toEqual({
      waiting: before,
      consumers: 0,
      answered: false,
    });
    database.open();
    const second = await spawn({ DATABASE_URL: url });
    await waitUntil('readiness 200 with the database back', async () => (await readiness(second)).status === 200, 60_000);
    await waitUntil('the waiting query answered', async () => replies.has(correlationId), 30_000);
    expect(replies.get(correlationId)).toMatchObject({ ok: true, result: { items: [] } });
    await stopService(second);
  }, 180_000);
});
