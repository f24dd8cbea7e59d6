import {
  CallHandler,
  Logger,
  CanActivate,
  Controller,
  ExecutionContext,
  INestMicroservice,
  Injectable,
  NestInterceptor,
  Type,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { defineCommand, defineEvent, defineQuery, DomainError, PayloadOf, ResultOf } from '@commerce/contracts';
import { PlatformConfig, RequestContext } from '@commerce/platform';
import { randomUUID } from 'node:crypto';
import { Observable, tap } from 'rxjs';
import { z } from 'zod';
import { waitUntil } from '../../../../test/support/wait-until';
import { MessageBus } from '../bus/message-bus';
import { RequestRouter } from '../bus/request-route';
import { HandlerRegistry } from '../handlers/handler-registry';
import { InProcessTransport } from '../transport/in-process.transport';
import { Handles } from './handles.decorator';
import { emit, send } from './message-calls';
import { MessageLoggingInterceptor } from './message-logging.interceptor';
import { MessageContext } from './message.context';
import { MessagingClient } from './messaging.client';
import { MessagingServer } from './messaging.server';

const Greet = defineQuery(
  'test.greet.v1',
  z.strictObject({ name: z.string().trim().min(1), punctuation: z.string().default('!') }),
  z.object({ greeting: z.string() }),
);
const Refuse = defineCommand('test.refuse.v1', z.strictObject({ code: z.string() }), z.object({}));
const Happened = defineEvent('test.happened.v1', z.object({ n: z.number().int(), failSecond: z.boolean().default(false) }));
const Guarded = defineEvent('test.guarded.v1', z.object({ n: z.number().int() }));
const CONTRACTS = [Greet, Refuse, Happened, Guarded];

/** What ran, in order, for the assertions. */
const trail: string[] = [];
const seen: { handler: string; payload: unknown; context: ReturnType<typeof RequestContext.current>; messageId: string }[] = [];

/** Refuses messages whose correlation id says so, as an authorisation guard would refuse a caller. */
@Injectable()
class CorrelationGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    trail.push('guard');
    return !context.switchToRpc().getContext<MessageContext>().getEnvelope().correlationId.startsWith('blocked');
  }
}

/** Records that it ran around the handler and that the delivery's ids are in place for it. */
@Injectable()
class TrailInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    trail.push(`interceptor:before:${RequestContext.current()?.handlerName}`);
    return next.handle().pipe(tap(() => trail.push('interceptor:after')));
  }
}

@Controller()
class TestController {
  @Handles(Greet)
  @UseGuards(CorrelationGuard)
  @UseInterceptors(TrailInterceptor, MessageLoggingInterceptor)
  greet(@Payload() payload: PayloadOf<typeof Greet>, @Ctx() ctx: MessageContext) {
    trail.push('handler');
    seen.push({ handler: ctx.getHandlerName(), payload, context: RequestContext.current(), messageId: ctx.getEnvelope().id });
    return { greeting: `Hello, ${payload.name}${payload.punctuation}` };
  }

  @Handles(Refuse)
  async refuse({ code }: PayloadOf<typeof Refuse>): Promise<ResultOf<typeof Refuse>> {
    if (code === 'crash') throw new TypeError('secret internals');
    throw new DomainError(code, 'conflict', 'refused on purpose');
  }

  @Handles(Guarded)
  @UseGuards(CorrelationGuard)
  async guarded(payload: PayloadOf<typeof Guarded>) {
    seen.push({ handler: 'guarded', payload, context: RequestContext.current(), messageId: RequestContext.current()!.causationId! });
  }

  @Handles(Happened)
  async first(payload: PayloadOf<typeof Happened>) {
    seen.push({ handler: 'first', payload, context: RequestContext.current(), messageId: RequestContext.current()!.causationId! });
  }

  @Handles(Happened)
  async second(payload: PayloadOf<typeof Happened>) {
    seen.push({ handler: 'second', payload, context: RequestContext.current(), messageId: RequestContext.current()!.causationId! });
    if (payload.failSecond) throw new DomainError('TEST.BROKEN', 'unavailable', 'second handler broke');
  }
}

const rawEnvelope = (type: string, kind: 'query' | 'event', payload: unknown) =>
  JSON.stringify({ id: randomUUID(), type, kind, correlationId: 'raw', timestamp: new Date().toISOString(), payload });

describe('MessagingServer and MessagingClient over the in-process transport', () => {
  const transport = new InProcessTransport('test', [20, 40]);
  const client = new MessagingClient(
    new MessageBus(transport, { BUS_REQUEST_TIMEOUT_MS: 1000 } as PlatformConfig, new RequestRouter([], new HandlerRegistry())),
    CONTRACTS,
  );
  let app: INestMicroservice;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ controllers: [TestController], providers: [CorrelationGuard, TrailInterceptor] }).compile();
    app = moduleRef.createNestMicroservice({ strategy: new MessagingServer({ transport }) });
    await app.listen();
  });
  afterAll(() => app.close());
  afterEach(() => jest.restoreAllMocks());
  beforeEach(() => {
    trail.splice(0);
    seen.splice(0);
  });

  it('answers a @MessagePattern query through guard, interceptor, pipe and handler, in that order', async () => {
    const logged = jest.spyOn(Logger.prototype, 'debug');
    await expect(RequestContext.run({ correlationId: 'req-1' }, () => send(client, Greet, { name: 'Ada', punctuation: '.' }))).resolves.toEqual({
      greeting: 'Hello, Ada.',
    });
    expect(trail).toEqual(['guard', 'interceptor:before:TestController.greet', 'handler', 'interceptor:after']);
    expect(logged).toHaveBeenCalledWith(
      expect.objectContaining({
        msg: 'message handled',
        type: Greet.type,
        handler: 'TestController.greet',
        correlationId: 'req-1',
        messageId: seen[0].messageId,
      }),
    );
    expect(seen[0]).toMatchObject({
      handler: 'TestController.greet',
      context: { correlationId: 'req-1', causationId: seen[0].messageId, messageType: Greet.type, handlerName: 'TestController.greet' },
    });
  });

  it('lets a guard refuse a message: the caller gets a forbidden error and the handler does not run', async () => {
    const refused = RequestContext.run({ correlationId: 'blocked-7' }, () => send(client, Greet, { name: 'Eve', punctuation: '?' }));
    await expect(refused).rejects.toMatchObject({ code: 'MESSAGING.REJECTED', kind: 'forbidden' });
    expect(trail).toEqual(['guard']);
  });

  it('validates on receipt with the contract pipe: the handler gets the parsed payload, a broken one never reaches it', async () => {
    const parsed = JSON.parse(await transport.request(Greet.type, rawEnvelope(Greet.type, 'query', { name: '  Bo  ' }), 1000));
    expect(parsed).toEqual({ ok: true, result: { greeting: 'Hello, Bo!' } });
    expect(seen[0].payload).toEqual({ name: 'Bo', punctuation: '!' });

    seen.splice(0);
    const broken = JSON.parse(await transport.request(Greet.type, rawEnvelope(Greet.type, 'query', { name: 42 }), 1000));
    expect(broken).toEqual({ ok: false, error: expect.objectContaining({ code: 'MESSAGING.INVALID_MESSAGE', kind: 'invalid' }) });
    expect(seen).toHaveLength(0);
  });

  it('carries a typed domain error across as data, and hides an unexpected one', async () => {
    await expect(send(client, Refuse, { code: 'TEST.NOPE' })).rejects.toMatchObject({ code: 'TEST.NOPE', kind: 'conflict', message: 'refused on purpose' });
    const error = await send(client, Refuse, { code: 'crash' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'INTERNAL', kind: 'internal' });
    expect((error as Error).message).not.toContain('secret');
  });

  it('delivers an event to every @EventPattern handler, each under its own name', async () => {
    await RequestContext.run({ correlationId: 'req-ev' }, () => emit(client, Happened, { n: 1, failSecond: false }));
    await waitUntil('both handlers', async () => seen.length === 2, 2000);
    const byHandler = Object.fromEntries(seen.map((s) => [s.handler, s]));
    expect(byHandler.first.context).toMatchObject({ correlationId: 'req-ev', handlerName: 'TestController.first' });
    expect(byHandler.second.context).toMatchObject({ correlationId: 'req-ev', handlerName: 'TestController.second' });
    expect(byHandler.first.payload).toEqual({ n: 1, failSecond: false });
  });

  it('retries a failing event handler alone, then parks the event with the reason', async () => {
    await emit(client, Happened, { n: 2, failSecond: true });
    await waitUntil('the dead letter', async () => (await transport.list('test', { offset: 0, limit: 10 })).total === 1, 3000);
    const [letter] = (await transport.list('test', { offset: 0, limit: 10 })).items;
    expect(letter).toMatchObject({ type: Happened.type, handlers: ['TestController.second'], attempts: 3 });
    expect(letter.error).toContain('TestController.second: TEST.BROKEN: second handler broke');
    expect(seen.filter((s) => s.handler === 'first')).toHaveLength(1);
    expect(seen.filter((s) => s.handler === 'second')).toHaveLength(3);
    await transport.discard('test', letter.id);
  });

  it('parks a malformed event at once, without retrying it', async () => {
    await transport.publish(Happened.type, rawEnvelope(Happened.type, 'event', { n: 'three' }));
    await waitUntil('the dead letters', async () => (await transport.list('test', { offset: 0, limit: 10 })).total === 2, 3000);
    const letters = (await transport.list('test', { offset: 0, limit: 10 })).items;
    expect(letters.map((l) => l.attempts)).toEqual([1, 1]);
    expect(letters.every((l) => l.error.includes('MESSAGING.INVALID_MESSAGE'))).toBe(true);
    expect(seen).toHaveLength(0);
  });

  it('parks an event a guard refuses at once, as a refusal does not change on retry; one it lets through is handled', async () => {
    const guardedLetters = async () => (await transport.list('test', { offset: 0, limit: 10 })).items.filter((l) => l.type === Guarded.type);
    await RequestContext.run({ correlationId: 'blocked-ev' }, () => emit(client, Guarded, { n: 1 }));
    await RequestContext.run({ correlationId: 'allowed-ev' }, () => emit(client, Guarded, { n: 2 }));
    await waitUntil('the refused event parked', async () => (await guardedLetters()).length === 1, 3000);
    await waitUntil('the allowed event handled', async () => seen.length === 1, 3000);
    // Longer than both retry delays (20 and 40 ms): a retried refusal would have run the guard again.
    await new Promise((r) => setTimeout(r, 150));
    const [letter] = await guardedLetters();
    expect(letter).toMatchObject({ handlers: ['TestController.guarded'], attempts: 1 });
    expect(letter.error).toContain('MESSAGING.REJECTED');
    expect(trail.filter((t) => t === 'guard')).toHaveLength(2);
    expect(seen).toEqual([expect.objectContaining({ handler: 'guarded', payload: { n: 2 } })]);
  });
});

@Controller()
class BareController {
  @MessagePattern(Greet.type)
  greet(payload: PayloadOf<typeof Greet>) {
    return { greeting: `Hi, ${payload.name}${payload.punctuation}` };
  }
}

@Controller()
class UnknownPatternController {
  @MessagePattern('test.nobody-knows.v1')
  nothing() {
    return {};
  }
}

describe('MessagingServer with bare Nest patterns', () => {
  const boot = async (controller: Type<unknown>, transport: InProcessTransport) => {
    const moduleRef = await Test.createTestingModule({ controllers: [controller] }).compile();
    return moduleRef.createNestMicroservice({ strategy: new MessagingServer({ transport, contracts: CONTRACTS }) });
  };

  it('validates the payload of a bare @MessagePattern against the contract of its type', async () => {
    const transport = new InProcessTransport('bare', [10]);
    const app = await boot(BareController, transport);
    await app.listen();
    try {
      const answer = JSON.parse(await transport.request(Greet.type, rawEnvelope(Greet.type, 'query', { name: ' Al ' }), 1000));
      expect(answer).toEqual({ ok: true, result: { greeting: 'Hi, Al!' } });
      const broken = JSON.parse(await transport.request(Greet.type, rawEnvelope(Greet.type, 'query', { name: ' Al ', extra: 1 }), 1000));
      expect(broken).toMatchObject({ ok: false, error: { code: 'MESSAGING.INVALID_MESSAGE' } });
    } finally {
      await app.close();
    }
  });

  it("runs a handler between Nest's processing hooks when they are set, and still answers typed errors", async () => {
    const transport = new InProcessTransport('hooked', [10]);
    const moduleRef = await Test.createTestingModule({ controllers: [TestController], providers: [CorrelationGuard, TrailInterceptor] }).compile();
    const server = new MessagingServer({ transport });
    const hooks: string[] = [];
    server.setOnProcessingStartHook((_transport, context, done) => {
      hooks.push(`start:${(context as MessageContext).getHandlerName()}`);
      return done();
    });
    server.setOnProcessingEndHook((_transport, context) => hooks.push(`end:${(context as MessageContext).getHandlerName()}`));
    const app = moduleRef.createNestMicroservice({ strategy: server });
    await app.listen();
    try {
      const answer = JSON.parse(await transport.request(Greet.type, rawEnvelope(Greet.type, 'query', { name: 'Hu' }), 1000));
      expect(answer).toEqual({ ok: true, result: { greeting: 'Hello, Hu!' } });
      const refused = JSON.parse(await transport.request(Refuse.type, rawEnvelope(Refuse.type, 'query', { code: 'TEST.NO' }), 1000));
      expect(refused).toMatchObject({ ok: false, error: { code: 'TEST.NO', kind: 'conflict' } });
      expect(hooks).toEqual(['start:TestController.greet', 'end:TestController.greet', 'start:TestController.refuse', 'end:TestController.refuse']);
    } finally {
      await app.close();
    }
  });

  it('refuses to start with a pattern no contract has', async () => {
    const app = await boot(UnknownPatternController, new InProcessTransport('unknown', [10]));
    await expect(app.listen()).rejects.toThrow('No message contract has the type "test.nobody-knows.v1"');
    await app.close();
  });
});
