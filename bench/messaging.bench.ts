// npm run bench:messaging: messages per second through outbox -> RabbitMQ -> inbox handler
// (persistent, confirmed, acked) beside a raw amqplib publish/consume loop in the same run, and
// query round-trip p50/p99 in process, over RabbitMQ (beside a bare amqplib request/reply) and over
// gRPC (beside bare grpc-js). Prints figures; asserts nothing.
import 'reflect-metadata';
import { Controller, Module, Type } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { defineEvent, defineGrpcService, defineQuery, PayloadOf } from '@commerce/contracts';
import {
  GroupCommit,
  Handles,
  MessageBus,
  MessageContext,
  MessagingModule,
  messagingTablesMigration,
  PROTO_LOADER_OPTIONS,
  UnitOfWork,
} from '@commerce/messaging';
import { dataSourceToken, InjectDataSource, PersistenceModule, PlatformModule, startApp } from '@commerce/platform';
import {
  credentials,
  loadPackageDefinition,
  Metadata,
  Server,
  ServerCredentials,
  type sendUnaryData,
  type ServerUnaryCall,
  type ServiceClientConstructor,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { connect } from 'amqplib';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import { z } from 'zod';
import { pidsNamed, processCpuSeconds } from './support/cpu-usage';
import { printFigures, runBench } from './support/report';

const ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const RABBITMQ_URL = process.env.TEST_RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 5000);
const ROUND_TRIPS = Number(process.env.BENCH_ROUND_TRIPS ?? 2000);
/**
 * Round trips before the measured ones, on every path alike. With 200, the first 2,000 measured
 * round trips of a bare amqplib request/reply still had a p99 of about 3 ms against 1.0–1.7 ms for
 * the next 2,000 (the code paths still compiling, on both sides of the socket).
 */
const ROUND_TRIP_WARMUP = Number(process.env.BENCH_ROUND_TRIP_WARMUP ?? 2000);

const Ticked = defineEvent('bench.ticked.v1', z.object({ n: z.number().int() }));
const Echo = defineQuery('bench.echo.v1', z.strictObject({ n: z.number().int() }), z.object({ n: z.number().int() }));
const EchoGrpc = defineGrpcService({
  context: 'bench',
  package: 'commerce.bench.v1',
  service: 'BenchQueries',
  protoPath: join(__dirname, 'echo.proto'),
  methods: { Echo },
});

class CreateBench1764000000000 implements MigrationInterface {
  name = 'CreateBench1764000000000';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE bench.effect (n int PRIMARY KEY)`);
    await q.query(`CREATE TABLE bench.batched_effect (n int PRIMARY KEY)`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE bench.batched_effect`);
    await q.query(`DROP TABLE bench.effect`);
  }
}

/**
 * CPU time per message of this process, Postgres (every backend) and RabbitMQ (beam.smp) over one
 * measured run: on a shared machine, what each side spent, beside the rate.
 */
function cpuPerMessage(): () => string {
  const sample = () => ({
    node: processCpuSeconds(process.pid),
    postgres: new Map(pidsNamed('postgres').map((pid) => [pid, processCpuSeconds(pid)])),
    broker: pidsNamed('beam.smp').reduce((sum, pid) => sum + processCpuSeconds(pid), 0),
  });
  const before = sample();
  return () => {
    const after = sample();
    let postgres = 0;
    for (const [pid, used] of after.postgres) postgres += used - (before.postgres.get(pid) ?? 0);
    const us = (seconds: number) => Math.round((seconds * 1e6) / MESSAGES);
    return `CPU µs/msg: node ${us(after.node - before.node)}, postgres ${us(postgres)}, broker ${us(after.broker - before.broker)}`;
  };
}

let received = 0;
let allReceived: () => void = () => undefined;
const Batched = defineEvent('bench.batched.v1', z.object({ n: z.number().int() }));

@Controller()
class BenchHandlers {
  constructor(
    @InjectDataSource('bench') private readonly dataSource: DataSource,
    private readonly uow: UnitOfWork,
  ) {}

  @Handles(Ticked)
  async onTicked({ n }: PayloadOf<typeof Ticked>): Promise<void> {
    await this.uow.once(this.dataSource, (m) => m.query(`INSERT INTO bench.effect (n) VALUES ($1)`, [n]));
    if (++received === MESSAGES) allReceived();
  }
}

/**
 * The same effect, group-committed as reporting's event log is (ADR 0024): deliveries that arrive
 * together claim their inbox rows and write their effects in one statement; a delivery is acked
 * only once its group committed, and a failed group is written again one by one.
 */
@Controller()
class BatchedHandlers {
  private readonly effects: GroupCommit<{ messageId: string; n: number }, boolean>;

  constructor(@InjectDataSource('bench') dataSource: DataSource) {
    this.effects = new GroupCommit(async (items) => {
      const claimed = (await dataSource.query(
        `WITH input AS (SELECT * FROM unnest($1::uuid[], $2::int[]) AS t(message_id, n)),
         claimed AS (
           INSERT INTO bench.inbox (message_id, handler) SELECT message_id, 'BatchedHandlers.onBatched' FROM input
           ON CONFLICT DO NOTHING RETURNING message_id
         ), applied AS (
           INSERT INTO bench.batched_effect (n) SELECT i.n FROM input i JOIN claimed c USING (message_id)
         )
         SELECT message_id FROM claimed`,
        [items.map((i) => i.messageId), items.map((i) => i.n)],
      )) as { message_id: string }[];
      const fresh = new Set(claimed.map((r) => r.message_id));
      return items.map((i) => fresh.delete(i.messageId));
    });
  }

  @Handles(Batched)
  async onBatched(@Payload() { n }: PayloadOf<typeof Batched>, @Ctx() ctx: MessageContext): Promise<void> {
    await this.effects.submit({ messageId: ctx.getEnvelope().id, n });
    if (++received === MESSAGES) allReceived();
  }
}

@Controller()
class EchoHandler {
  @Handles(Echo)
  async echo({ n }: PayloadOf<typeof Echo>) {
    return { n };
  }
}

@Module({
  imports: [PersistenceModule.forContext({ context: 'bench', migrations: [CreateBench1764000000000, messagingTablesMigration('bench')] })],
  controllers: [BenchHandlers, BatchedHandlers, EchoHandler],
})
class BenchContextModule {}

async function boot(env: Record<string, string>) {
  Object.assign(process.env, env);
  @Module({ imports: [PlatformModule.forRoot(), MessagingModule.forRoot({ service: 'bench' }), BenchContextModule] })
  class BenchAppModule {}
  const app = await NestFactory.create(BenchAppModule, new FastifyAdapter(), { logger: ['error'] });
  await startApp(app);
  return app;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as { port: number };
  await new Promise((ok) => server.close(ok));
  return port;
}

/** The echo handler served over gRPC by a hybrid app (as the catalog service serves its queries), and a caller. */
async function bootGrpcPair(port: number) {
  Object.assign(process.env, {
    TRANSPORT: 'in-process',
    HOST: '127.0.0.1',
    GRPC_PORT: String(port),
    BENCH_QUERIES: 'grpc',
    BENCH_GRPC_URL: `127.0.0.1:${port}`,
  });
  const module = (name: string, serve: boolean): Type<unknown> => {
    @Module({
      imports: [PlatformModule.forRoot(), MessagingModule.forRoot({ service: name, serveGrpc: serve ? [EchoGrpc] : [], grpcServices: [EchoGrpc] })],
      controllers: serve ? [EchoHandler] : [],
    })
    class GrpcBenchModule {}
    return GrpcBenchModule;
  };
  const server = await NestFactory.create(module('bench', true), new FastifyAdapter(), { logger: ['error'] });
  await startApp(server);
  const caller = await NestFactory.create(module('caller', false), new FastifyAdapter(), { logger: ['error'] });
  await startApp(caller);
  return { caller, close: async () => (await caller.close(), await server.close()) };
}

function percentile(sorted: number[], p: number): number {
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] * 1000) / 1000;
}

function roundTrips(bus: MessageBus): Promise<string> {
  return timeRoundTrips((n) => bus.request(Echo, { n }));
}

async function timeRoundTrips(call: (n: number) => Promise<unknown>): Promise<string> {
  for (let i = 0; i < ROUND_TRIP_WARMUP; i++) await call(i);
  const times: number[] = [];
  for (let i = 0; i < ROUND_TRIPS; i++) {
    const t = performance.now();
    await call(i);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return `p50 ${percentile(times, 50)} ms, p99 ${percentile(times, 99)} ms (${ROUND_TRIPS} sequential)`;
}

async function rawAmqp(prefix: string): Promise<{ rate: number; cpu: string }> {
  const connection = await connect(RABBITMQ_URL, { noDelay: true });
  const pub = await connection.createConfirmChannel();
  const sub = await connection.createChannel();
  const queue = `${prefix}.raw`;
  await pub.assertQueue(queue, { durable: true });
  await sub.prefetch(20);
  let got = 0;
  const done = new Promise<void>((resolve) => {
    void sub.consume(queue, (msg) => {
      if (!msg) return;
      sub.ack(msg);
      if (++got === MESSAGES) resolve();
    });
  });
  const cpu = cpuPerMessage();
  const started = performance.now();
  const body = Buffer.from(JSON.stringify({ n: 0, pad: 'x'.repeat(200) }));
  await Promise.all(
    Array.from(
      { length: MESSAGES },
      () => new Promise<void>((ok, fail) => pub.sendToQueue(queue, body, { persistent: true }, (err: unknown) => (err ? fail(err) : ok()))),
    ),
  );
  await done;
  const seconds = (performance.now() - started) / 1000;
  const used = cpu();
  await pub.deleteQueue(queue);
  await connection.close();
  return { rate: Math.round(MESSAGES / seconds), cpu: used };
}

/**
 * The same echo as a bare amqplib request/reply, for what our layer adds over RabbitMQ: a durable
 * queue with a manually acked consumer (prefetch 20) on one connection, the caller on another
 * publishing with direct reply-to, a correlation id and an expiration; no envelope, no validation,
 * no confirms (our requests are not confirmed either: a reply is the acknowledgement).
 */
async function rawAmqpRoundTrips(prefix: string): Promise<string> {
  const serverConnection = await connect(RABBITMQ_URL, { noDelay: true });
  const callerConnection = await connect(RABBITMQ_URL, { noDelay: true });
  const queue = `${prefix}.raw-requests`;
  try {
    const server = await serverConnection.createChannel();
    await server.assertQueue(queue, { durable: true });
    await server.prefetch(20);
    await server.consume(queue, (msg) => {
      if (!msg) return;
      const { n } = JSON.parse(msg.content.toString()) as { n: number };
      server.sendToQueue(msg.properties.replyTo as string, Buffer.from(JSON.stringify({ ok: true, result: { n } })), {
        correlationId: msg.properties.correlationId as string,
      });
      server.ack(msg);
    });
    const caller = await callerConnection.createChannel();
    const waiting = new Map<string, () => void>();
    await caller.consume('amq.rabbitmq.reply-to', (msg) => msg && waiting.get(msg.properties.correlationId as string)?.(), { noAck: true });
    let next = 0;
    const call = (n: number) =>
      new Promise<void>((ok) => {
        const correlationId = String(next++);
        waiting.set(correlationId, () => (waiting.delete(correlationId), ok()));
        caller.sendToQueue(queue, Buffer.from(JSON.stringify({ n })), {
          replyTo: 'amq.rabbitmq.reply-to',
          correlationId,
          expiration: '5000',
          contentType: 'application/json',
        });
      });
    return await timeRoundTrips(call);
  } finally {
    const cleanup = await callerConnection.createChannel();
    await cleanup.deleteQueue(queue);
    await callerConnection.close();
    await serverConnection.close();
  }
}

/** The same echo over bare grpc-js (no Nest, no envelope, no validation), for what our layer adds. */
async function rawGrpc(): Promise<string> {
  const definition = loadPackageDefinition(loadSync(EchoGrpc.protoPath, PROTO_LOADER_OPTIONS)) as unknown as {
    commerce: { bench: { v1: { BenchQueries: ServiceClientConstructor } } };
  };
  const Service = definition.commerce.bench.v1.BenchQueries;
  const server = new Server();
  server.addService(Service.service, {
    Echo: (call: ServerUnaryCall<{ n: number }, unknown>, done: sendUnaryData<unknown>) => done(null, { n: call.request.n }),
  });
  const port = await new Promise<number>((ok, fail) => server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? fail(e) : ok(p))));
  const client = new Service(`127.0.0.1:${port}`, credentials.createInsecure()) as unknown as {
    Echo(request: { n: number }, metadata: Metadata, options: { deadline: number }, done: (error: Error | null) => void): void;
    close(): void;
  };
  const echo = (n: number) => new Promise<void>((ok, fail) => client.Echo({ n }, new Metadata(), { deadline: Date.now() + 5000 }, (e) => (e ? fail(e) : ok())));
  try {
    return await timeRoundTrips(echo);
  } finally {
    client.close();
    server.forceShutdown();
  }
}

async function main(): Promise<void> {
  const prefix = `bench${randomBytes(3).toString('hex')}`;
  const dbName = `commerce_bench_msg_${Date.now()}`;
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${dbName}"`);
  const dbUrl = Object.assign(new URL(ADMIN_URL), { pathname: `/${dbName}` }).toString();
  const rows: string[][] = [];
  try {
    const rmqApp = await boot({
      DATABASE_URL: dbUrl,
      TRANSPORT: 'rmq',
      RABBITMQ_URL,
      RMQ_PREFIX: prefix,
      NODE_ENV: 'production',
      MIGRATIONS_RUN: 'true',
      LOG_LEVEL: 'error',
    });
    const uow = rmqApp.get(UnitOfWork);
    const ds = rmqApp.get<DataSource>(dataSourceToken('bench'), { strict: false });
    /** Emits MESSAGES events from 8 writers, 10 per transaction through the outbox; resolves with msg/s once every one was handled. */
    const throughput = async (contract: typeof Ticked | typeof Batched): Promise<{ rate: number; cpu: string }> => {
      received = 0;
      const all = new Promise<void>((resolve) => (allReceived = resolve));
      const cpu = cpuPerMessage();
      const started = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (next < MESSAGES) {
            const from = next;
            next += 10;
            await uow.transaction(ds, async (_m, emit) => {
              for (let n = from; n < Math.min(from + 10, MESSAGES); n++) await emit(contract, { n });
            });
          }
        }),
      );
      await all;
      return { rate: Math.round(MESSAGES / ((performance.now() - started) / 1000)), cpu: cpu() };
    };
    const once = await throughput(Ticked);
    const grouped = await throughput(Batched);
    const raw = await rawAmqp(prefix);
    const share = (rate: number) => `${Math.round((100 * rate) / raw.rate)} % of raw`;
    rows.push([
      'outbox -> RabbitMQ -> inbox handler',
      `${once.rate} msg/s, ${share(once.rate)} (${MESSAGES} events, 10 per transaction, each applied once via the inbox: one transaction per delivery, uow.once); ${once.cpu}`,
    ]);
    rows.push([
      'outbox -> RabbitMQ -> group-committed inbox',
      `${grouped.rate} msg/s, ${share(grouped.rate)} (the same, deliveries that arrive together claimed and applied in one statement, GroupCommit); ${grouped.cpu}`,
    ]);
    rows.push(['raw amqplib publish/consume', `${raw.rate} msg/s (${MESSAGES} persistent, confirmed, acked); ${raw.cpu}`]);
    rows.push(['query round trip over RabbitMQ', await roundTrips(rmqApp.get(MessageBus))]);
    await rmqApp.close();
    const cleanup = await connect(RABBITMQ_URL);
    const channel = await cleanup.createChannel();
    for (const q of ['events', 'commands', 'queries', 'dlq', 'retry.1.1000ms', 'retry.2.5000ms', 'retry.3.25000ms'])
      await channel.deleteQueue(`${prefix}.bench.${q}`);
    await channel.deleteExchange(`${prefix}.events`);
    await channel.deleteQueue(`${prefix}.unrouted`);
    await channel.deleteExchange(`${prefix}.unrouted`);
    await channel.deleteExchange(`${prefix}.requests`);
    await cleanup.close();

    const localApp = await boot({ TRANSPORT: 'in-process' });
    rows.push(['query round trip in process', await roundTrips(localApp.get(MessageBus))]);
    await localApp.close();

    const grpc = await bootGrpcPair(await freePort());
    rows.push(['query round trip over gRPC', await roundTrips(grpc.caller.get(MessageBus))]);
    await grpc.close();
    rows.push(['raw grpc-js unary round trip', await rawGrpc()]);
    // Measured last, shown beside ours over RabbitMQ: run before the in-process round trips, its garbage slowed them by a third.
    const overRabbit = rows.findIndex(([label]) => label === 'query round trip over RabbitMQ');
    rows.splice(overRabbit + 1, 0, ['raw amqplib request/reply round trip', await rawAmqpRoundTrips(prefix)]);
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    await admin.end();
  }
  printFigures(`commerce-kit messaging bench (node ${process.version})`, rows);
}

runBench(main);
