import { Controller, DynamicModule, INestApplication, Module, Type } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test, TestingModule } from '@nestjs/testing';
import { MessageContract } from '@commerce/contracts';
import { Handles, MessageBus, MessageContext, TRANSPORT, Transport } from '@commerce/messaging';
import { DatabaseRegistry, dataSourceToken, PlatformModule, startApp } from '@commerce/platform';
import { MessagingModule } from '@commerce/messaging';
import { DataSource } from 'typeorm';

/** Where a harness keeps its data: a scratch database on the real server, or embedded PGlite in memory. */
export type Backend = { kind: 'postgres'; url: string } | { kind: 'pglite' };

/** Runs `fn` with the given environment variables set, then puts the old values back. */
export async function withEnv<T>(vars: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  for (const [k, v] of Object.entries(vars)) if (v === undefined) delete process.env[k];
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved))
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
  }
}

/** The environment that points the platform at a backend. */
export function backendEnv(backend: Backend): Record<string, string | undefined> {
  return backend.kind === 'postgres'
    ? { DATABASE_URL: backend.url, SEED_DEMO_CATALOG: 'false', NODE_ENV: 'test' }
    : { DATABASE_URL: undefined, DATA_DIR: 'memory://', SEED_DEMO_CATALOG: 'false', NODE_ENV: 'test' };
}

/** Builds a controller that records every delivery of the given events. */
export function eventRecorder(contracts: MessageContract<'event'>[]): { provider: Type<EventLog> } {
  @Controller()
  class Recorder extends EventLog {}
  for (const contract of contracts) {
    const method = `on_${contract.type.replace(/\W/g, '_')}`;
    Object.defineProperty(Recorder.prototype, method, {
      value: async function (this: EventLog, payload: unknown, ctx: MessageContext) {
        this.events.push({ type: ctx.getEnvelope().type, payload });
      },
    });
    const descriptor = Object.getOwnPropertyDescriptor(Recorder.prototype, method)!;
    Payload()(Recorder.prototype, method, 0);
    Ctx()(Recorder.prototype, method, 1);
    Handles(contract)(Recorder.prototype, method, descriptor);
  }
  return { provider: Recorder };
}

/** Events seen by a recorder. */
export class EventLog {
  readonly events: { type: string; payload: unknown }[] = [];
  ofType(contract: MessageContract<'event'>): unknown[] {
    return this.events.filter((e) => e.type === contract.type).map((e) => e.payload);
  }
}

/**
 * Starts a compiled testing module as `main.ts` starts an app (init, then the message server and
 * any other registered server), without listening on HTTP; logs off unless TEST_LOGS=1.
 */
export async function startTestingApp(moduleRef: TestingModule): Promise<INestApplication> {
  const app = moduleRef.createNestApplication(new FastifyAdapter(), { logger: process.env.TEST_LOGS === '1' ? undefined : false });
  await startApp(app);
  return app;
}

/** A booted set of context modules on the in-process bus. */
export interface ContextHarness {
  bus: MessageBus;
  transport: Transport;
  dataSource(context: string): DataSource;
  get<T>(type: Type<T>): T;
  /** Waits (at most 10 s) until every outbox is shipped and every delivery has finished. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Boots context modules with the platform and the bus against a backend, started as an app is
 * (init, then its message server), without listening on HTTP. `handlers` are extra message
 * handler controllers (recorders, fake owners).
 */
export async function bootContexts(
  backend: Backend,
  modules: (Type<unknown> | DynamicModule)[],
  handlers: Type<unknown>[] = [],
  options: { service?: string; env?: Record<string, string | undefined> } = {},
): Promise<ContextHarness> {
  @Module({ imports: [PlatformModule.forRoot(), MessagingModule.forRoot({ service: options.service ?? 'test' }), ...modules], controllers: handlers })
  class HarnessModule {}
  const app = await withEnv({ TRANSPORT: 'in-process', ...backendEnv(backend), ...options.env }, async () =>
    startTestingApp(await Test.createTestingModule({ imports: [HarnessModule] }).compile()),
  );
  const transport = app.get<Transport>(TRANSPORT);
  const registry = app.get(DatabaseRegistry);
  const settle = async () => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      await transport.drain();
      const pending = await Promise.all(
        registry.all().map(async ({ definition, dataSource }) => {
          const [row] = (await dataSource.query(`SELECT count(*)::int AS n FROM ${definition.context}.outbox WHERE sent_at IS NULL`)) as { n: number }[];
          return row.n;
        }),
      );
      if (pending.every((n) => n === 0)) return transport.drain();
      if (Date.now() > deadline) throw new Error(`outbox not shipped within 10 s: ${pending.join(', ')} pending`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return {
    settle,
    bus: app.get(MessageBus),
    transport,
    dataSource: (context) => app.get<DataSource>(dataSourceToken(context), { strict: false }),
    get: (type) => app.get(type, { strict: false }),
    close: () => app.close(),
  };
}
