import { Controller, INestApplication } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { defineGrpcService, defineQuery, DomainError, PayloadOf } from '@commerce/contracts';
import { inSpan, MetricsRegistry, PlatformModule, RequestContext } from '@commerce/platform';
import { context, propagation, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { credentials, loadPackageDefinition, Metadata, type ServiceError, status as Status } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { join } from 'node:path';
import { z } from 'zod';
import { Handles, MessageBus, MessageContext, MessagingModule, PROTO_LOADER_OPTIONS } from '@commerce/messaging';
import { startTestingApp, withEnv } from '../../../test/support/context-harness';
import { freePort } from '../../../test/support/topology';

// The gRPC route over a real loopback connection: one Nest app serves a context's queries (a
// hybrid app, as the catalog service is), another calls them through its bus. No database, no broker.
const Add = defineQuery('probe.add.v1', z.strictObject({ a: z.number().int(), b: z.number().int() }), z.object({ sum: z.number().int() }));
const Find = defineQuery('probe.find.v1', z.strictObject({ id: z.string().min(1) }), z.object({ id: z.string(), name: z.string() }));
const Slow = defineQuery('probe.slow.v1', z.strictObject({ ms: z.number().int() }), z.object({}));
const Lying = defineQuery('probe.lying.v1', z.strictObject({}), z.object({ sum: z.number().int().min(1) }));
const Who = defineQuery('probe.who.v1', z.strictObject({}), z.object({ correlationId: z.string(), causationId: z.string(), traceparent: z.string() }));
const ProbeGrpc = defineGrpcService({
  context: 'probe',
  package: 'commerce.probe.v1',
  service: 'ProbeQueries',
  protoPath: join(__dirname, 'grpc/probe.proto'),
  methods: { Add, Find, Slow, Lying, Who },
});

@Controller()
class ProbeHandlers {
  calls = 0;

  @Handles(Add)
  async add({ a, b }: PayloadOf<typeof Add>) {
    this.calls++;
    return { sum: a + b };
  }

  @Handles(Find)
  async find({ id }: PayloadOf<typeof Find>) {
    if (id === 'missing') throw new DomainError('PROBE.NOT_FOUND', 'not-found', `No thing ${id}`, { id });
    return { id, name: `thing ${id}` };
  }

  @Handles(Slow)
  async slow({ ms }: PayloadOf<typeof Slow>) {
    await new Promise((r) => setTimeout(r, ms));
    return {};
  }

  @Handles(Lying)
  async lying() {
    return { sum: 0 };
  }

  @Handles(Who)
  async who(@Payload() _payload: unknown, @Ctx() ctx: MessageContext) {
    const envelope = ctx.getEnvelope();
    return { correlationId: envelope.correlationId, causationId: envelope.causationId ?? '', traceparent: envelope.traceparent ?? '' };
  }
}

/** A plain grpc-js client of the probe service, bypassing the bus. */
type RawProbeClient = {
  Add(request: unknown, metadata: Metadata, options: { deadline: number }, callback: (error: ServiceError) => void): void;
  close(): void;
};

async function boot(env: Record<string, string>, options: { serve: boolean }): Promise<INestApplication> {
  return withEnv({ TRANSPORT: 'in-process', HOST: '127.0.0.1', ...env }, async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        PlatformModule.forRoot(),
        MessagingModule.forRoot({ service: options.serve ? 'probe' : 'caller', serveGrpc: options.serve ? [ProbeGrpc] : [], grpcServices: [ProbeGrpc] }),
      ],
      controllers: options.serve ? [ProbeHandlers] : [],
    }).compile();
    return startTestingApp(moduleRef);
  });
}

describe('queries over gRPC', () => {
  let server: INestApplication;
  let caller: INestApplication;
  let bus: MessageBus;
  let port: number;

  const spans = new InMemorySpanExporter();
  const tracing = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });

  beforeAll(async () => {
    tracing.register();
    port = await freePort();
    // The server is configured to route its own queries over gRPC too, to a port nobody listens on:
    // hosting the handlers, it must answer them itself.
    server = await boot({ GRPC_PORT: String(port), PROBE_QUERIES: 'grpc', PROBE_GRPC_URL: `127.0.0.1:${await freePort()}` }, { serve: true });
    caller = await boot({ PROBE_QUERIES: 'grpc', PROBE_GRPC_URL: `127.0.0.1:${port}` }, { serve: false });
    bus = caller.get(MessageBus);
  });

  afterAll(async () => {
    await caller?.close();
    await server?.close();
    await tracing.shutdown();
    trace.disable();
    context.disable();
    propagation.disable();
  });

  it('answers with the handler of the query, in the serving process', async () => {
    const handlers = server.get(ProbeHandlers);
    const before = handlers.calls;
    await expect(bus.request(Add, { a: 2, b: 40 })).resolves.toEqual({ sum: 42 });
    expect(handlers.calls).toBe(before + 1);
  });

  it('carries the envelope: correlation id, causation and trace context', async () => {
    const who = await RequestContext.run({ correlationId: 'corr-grpc-1', causationId: 'cause-1' }, () => inSpan('caller', {}, () => bus.request(Who, {})));
    expect(who).toMatchObject({ correlationId: 'corr-grpc-1', causationId: 'cause-1' });
    const caller = spans.getFinishedSpans().find((s) => s.name === 'caller')!;
    const handled = spans.getFinishedSpans().find((s) => s.name === 'process probe.who.v1')!;
    expect(who.traceparent).toContain(caller.spanContext().traceId);
    expect(handled.spanContext().traceId).toBe(caller.spanContext().traceId);
    expect(handled.attributes).toMatchObject({ 'messaging.system': 'grpc', 'messaging.message.conversation_id': 'corr-grpc-1' });
  });

  it('brings a domain error back with its code, kind, message and details', async () => {
    const error = await bus.request(Find, { id: 'missing' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).toPayload()).toEqual({ code: 'PROBE.NOT_FOUND', kind: 'not-found', message: 'No thing missing', details: { id: 'missing' } });
  });

  it('rejects a reply that breaks its contract on the serving side', async () => {
    await expect(bus.request(Lying, {})).rejects.toMatchObject({ code: 'MESSAGING.INVALID_REPLY', kind: 'internal' });
  });

  it("passes the bus's timeout as the call's deadline", async () => {
    const started = Date.now();
    await expect(bus.request(Slow, { ms: 3000 }, { timeoutMs: 200 })).rejects.toMatchObject({ code: 'MESSAGING.TIMEOUT', kind: 'timeout' });
    expect(Date.now() - started).toBeLessThan(2500);
  });

  it('validates on receipt: a call without an envelope gets INVALID_ARGUMENT and our error, not a crash', async () => {
    const definition = loadPackageDefinition(loadSync(ProbeGrpc.protoPath, PROTO_LOADER_OPTIONS)) as unknown as {
      commerce: { probe: { v1: { ProbeQueries: new (url: string, creds: unknown) => RawProbeClient } } };
    };
    const raw = new definition.commerce.probe.v1.ProbeQueries(`127.0.0.1:${port}`, credentials.createInsecure());
    const error = await new Promise<ServiceError>((resolve) =>
      raw.Add({ a: 1, b: 2 }, new Metadata(), { deadline: Date.now() + 10_000 }, (e: ServiceError) => resolve(e)),
    );
    raw.close();
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(JSON.parse(error.metadata.get('commerce-error-bin')[0].toString())).toMatchObject({ code: 'MESSAGING.INVALID_MESSAGE', kind: 'invalid' });
  });

  it('counts its calls by method and status', async () => {
    const text = (await caller.get(MetricsRegistry).scrape()).body;
    expect(text).toMatch(/commerce_grpc_client_duration_seconds_count\{method="commerce\.probe\.v1\.ProbeQueries\/Add",code="OK"\} [1-9]/);
    expect(text).toMatch(/commerce_grpc_client_duration_seconds_count\{method="commerce\.probe\.v1\.ProbeQueries\/Find",code="NOT_FOUND"\} [1-9]/);
  });

  it('answers its own queries in the process that hosts them, whatever the route says', async () => {
    await expect(server.get(MessageBus).request(Add, { a: 1, b: 1 })).resolves.toEqual({ sum: 2 });
  });

  it('fails fast as unavailable when nothing listens', async () => {
    const lonely = await boot({ PROBE_QUERIES: 'grpc', PROBE_GRPC_URL: `127.0.0.1:${await freePort()}` }, { serve: false });
    try {
      const started = Date.now();
      await expect(lonely.get(MessageBus).request(Add, { a: 1, b: 1 }, { timeoutMs: 10_000 })).rejects.toMatchObject({
        code: 'MESSAGING.UNAVAILABLE',
        kind: 'unavailable',
      });
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      await lonely.close();
    }
  });
});
