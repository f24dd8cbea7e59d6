import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { defineCommand, defineEvent, defineQuery, DomainError, Envelope, PayloadOf } from '@commerce/contracts';
import { PlatformModule, RequestContext } from '@commerce/platform';
import { z } from 'zod';
import { Handles } from '../nest/handles.decorator';
import { MessageContext } from '../nest/message.context';
import { MessagingModule } from '../messaging.module';
import { InProcessTransport } from '../transport/in-process.transport';
import { TRANSPORT } from '../transport/transport';
import { MessageBus } from './message-bus';
import { startTestingApp, withEnv } from '../../../../test/support/context-harness';

const Add = defineQuery('test.add.v1', z.strictObject({ a: z.number().int(), b: z.number().int() }), z.object({ sum: z.number().int() }));
const Fail = defineCommand('test.fail.v1', z.strictObject({ code: z.string() }), z.object({}));
const Slow = defineQuery('test.slow.v1', z.strictObject({ ms: z.number() }), z.object({}));
const Lying = defineQuery('test.lying.v1', z.strictObject({}), z.object({ n: z.number() }));
const Orphan = defineQuery('test.orphan.v1', z.strictObject({}), z.object({}));
const Happened = defineEvent('test.happened.v1', z.object({ n: z.number() }));

@Controller()
class TestHandlers {
  readonly seen: { handler: string; payload: unknown; envelope: Envelope }[] = [];

  @Handles(Add)
  async add(@Payload() { a, b }: PayloadOf<typeof Add>, @Ctx() ctx: MessageContext) {
    const envelope = ctx.getEnvelope();
    this.seen.push({ handler: 'add', payload: { a, b }, envelope });
    return { sum: a + b };
  }

  @Handles(Fail)
  async fail({ code }: PayloadOf<typeof Fail>): Promise<never> {
    if (code === 'crash') throw new TypeError('secret internals');
    throw new DomainError(code, 'conflict', 'nope');
  }

  @Handles(Slow)
  async slow({ ms }: PayloadOf<typeof Slow>) {
    await new Promise((r) => setTimeout(r, ms));
    return {};
  }

  @Handles(Lying)
  async lying() {
    return { n: 'not a number' } as unknown as { n: number };
  }

  @Handles(Happened)
  async first(@Payload() payload: PayloadOf<typeof Happened>, @Ctx() ctx: MessageContext) {
    const envelope = ctx.getEnvelope();
    this.seen.push({ handler: 'first', payload, envelope });
  }

  @Handles(Happened)
  async second(@Payload() payload: PayloadOf<typeof Happened>, @Ctx() ctx: MessageContext) {
    const envelope = ctx.getEnvelope();
    this.seen.push({ handler: 'second', payload, envelope });
  }
}

describe('MessageBus over the in-process transport', () => {
  let bus: MessageBus;
  let handlers: TestHandlers;
  let transport: InProcessTransport;
  let close: () => Promise<void>;

  beforeAll(async () => {
    const app = await withEnv({ BUS_REQUEST_TIMEOUT_MS: '200', TRANSPORT: 'in-process' }, async () => {
      const moduleRef = await Test.createTestingModule({
        imports: [PlatformModule.forRoot(), MessagingModule.forRoot({ service: 'test' })],
        controllers: [TestHandlers],
      }).compile();
      return startTestingApp(moduleRef);
    });
    bus = app.get(MessageBus);
    handlers = app.get(TestHandlers);
    transport = app.get(TRANSPORT);
    close = () => app.close();
  });
  afterAll(() => close());
  beforeEach(() => handlers.seen.splice(0));

  it('answers a query through a serialised round trip', async () => {
    await expect(bus.request(Add, { a: 2, b: 3 })).resolves.toEqual({ sum: 5 });
  });

  it('rejects an invalid payload with its issues, and the handler never runs', async () => {
    await expect(bus.request(Add, { a: 1.5, b: 1 })).rejects.toMatchObject({
      code: 'MESSAGING.INVALID_MESSAGE',
      kind: 'invalid',
      details: [expect.objectContaining({ path: 'a' })],
    });
    expect(handlers.seen).toHaveLength(0);
  });

  it('checks a request once per hop in process: the payload on receipt, the result where the handler answers', async () => {
    const payloadChecks = jest.spyOn(Add.schema, 'safeParse');
    const resultChecks = jest.spyOn(Add.resultSchema, 'safeParse');
    try {
      await expect(bus.request(Add, { a: 4, b: 5 })).resolves.toEqual({ sum: 9 });
      expect(payloadChecks).toHaveBeenCalledTimes(1);
      expect(resultChecks).toHaveBeenCalledTimes(1);
    } finally {
      payloadChecks.mockRestore();
      resultChecks.mockRestore();
    }
  });

  it('validates on receipt too: a malformed raw message gets an error reply, not a crash', async () => {
    const reply = JSON.parse(await transport.request('test.add.v1', '{not json', 1000));
    expect(reply).toEqual({ ok: false, error: expect.objectContaining({ code: 'MESSAGING.INVALID_MESSAGE' }) });
    const wrongPayload = JSON.stringify({
      id: '6f1c0e2a-5b1f-4a7c-9b7e-0a1b2c3d4e5f',
      type: 'test.add.v1',
      kind: 'query',
      correlationId: 'c',
      timestamp: new Date().toISOString(),
      payload: { a: 'x', b: 1 },
    });
    expect(JSON.parse(await transport.request('test.add.v1', wrongPayload, 1000))).toMatchObject({ ok: false, error: { code: 'MESSAGING.INVALID_MESSAGE' } });
  });

  it('carries the domain error code across the boundary', async () => {
    await expect(bus.send(Fail, { code: 'TEST.NOPE' })).rejects.toMatchObject({ code: 'TEST.NOPE', kind: 'conflict', message: 'nope' });
  });

  it('hides the details of unexpected errors', async () => {
    const error = await bus.send(Fail, { code: 'crash' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'INTERNAL', kind: 'internal' });
    expect((error as Error).message).not.toContain('secret');
  });

  it('times out a slow reply', async () => {
    await expect(bus.request(Slow, { ms: 1000 }, { timeoutMs: 50 })).rejects.toMatchObject({ code: 'MESSAGING.TIMEOUT', kind: 'timeout' });
  });

  it('rejects a reply that breaks its contract', async () => {
    await expect(bus.request(Lying, {})).rejects.toMatchObject({ code: 'MESSAGING.INVALID_REPLY' });
  });

  it('reports a message nobody in this process handles', async () => {
    await expect(bus.request(Orphan, {})).rejects.toMatchObject({ code: 'MESSAGING.NO_HANDLER', kind: 'unavailable' });
  });

  it('delivers an event to every subscriber, after the publisher has moved on', async () => {
    await bus.publish(Happened, { n: 7 });
    expect(handlers.seen).toHaveLength(0);
    await transport.drain();
    expect(handlers.seen.map((s) => s.handler).sort()).toEqual(['first', 'second']);
  });

  it('propagates the correlation id and sets the causation id', async () => {
    await RequestContext.run({ correlationId: 'corr-1', causationId: 'cause-1' }, () => bus.request(Add, { a: 1, b: 1 }));
    expect(handlers.seen[0].envelope).toMatchObject({ correlationId: 'corr-1', causationId: 'cause-1', type: 'test.add.v1', kind: 'query' });
  });
});
