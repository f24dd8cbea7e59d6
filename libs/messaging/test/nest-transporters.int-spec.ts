import { CanActivate, Controller, ExecutionContext, INestMicroservice, Injectable, UseGuards } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { defineCommand, defineEvent, defineQuery, DomainError, PayloadOf, ResultOf } from '@commerce/contracts';
import { dataSourceToken, InjectDataSource, MetricsRegistry, PersistenceModule, PlatformModule, RequestContext } from '@commerce/platform';
import { connect } from 'amqplib';
import { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import { z } from 'zod';
import { bootContexts, ContextHarness, withEnv, backendEnv } from '../../../test/support/context-harness';
import { createScratchDatabase, ScratchDatabase } from '../../../test/support/postgres';
import { deleteTopology, TEST_RABBITMQ_URL, uniquePrefix } from '../../../test/support/rabbitmq';
import { waitUntil } from '../../../test/support/wait-until';
import { loadMessagingConfig } from '../src/messaging.config';
import { MessagingModule } from '../src/messaging.module';
import { Handles } from '../src/nest/handles.decorator';
import { emit, send } from '../src/nest/message-calls';
import { MessageContext } from '../src/nest/message.context';
import { MessagingClient } from '../src/nest/messaging.client';
import { MessagingServer } from '../src/nest/messaging.server';
import { messagingTablesMigration } from '../src/outbox/messaging-tables.migration';
import { UnitOfWork } from '../src/outbox/unit-of-work';
import { createTransport } from '../src/transport/create-transport';
import { Transport } from '../src/transport/transport';

const Echo = defineQuery('nestprobe.echo.v1', z.strictObject({ text: z.string() }), z.object({ text: z.string(), correlationId: z.string() }));
const Refuse = defineCommand('nestprobe.refuse.v1', z.strictObject({ code: z.string() }), z.object({}));
const Noted = defineEvent('nestprobe.noted.v1', z.object({ n: z.number().int() }));
const Screened = defineEvent('nestprobe.screened.v1', z.object({ n: z.number().int() }));

/** Lets even numbers through, as an authorisation guard lets some senders through and not others. */
@Injectable()
class EvenOnlyGuard implements CanActivate {
  static checks = 0;
  canActivate(context: ExecutionContext): boolean {
    EvenOnlyGuard.checks++;
    return context.switchToRpc().getData<{ n: number }>().n % 2 === 0;
  }
}

class CreateNestProbe1764100000000 implements MigrationInterface {
  name = 'CreateNestProbe1764100000000';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE nestprobe.effect (message_id uuid NOT NULL, handler text NOT NULL, n int NOT NULL)`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE nestprobe.effect`);
  }
}

/** A context's handlers as a Nest user writes them: a controller with the contracts' patterns. */
@Controller()
class NestProbeController {
  constructor(
    @InjectDataSource('nestprobe') private readonly dataSource: DataSource,
    private readonly uow: UnitOfWork,
  ) {}

  @Handles(Echo)
  echo({ text }: PayloadOf<typeof Echo>) {
    return { text, correlationId: RequestContext.current()?.correlationId ?? '' };
  }

  @Handles(Refuse)
  async refuse({ code }: PayloadOf<typeof Refuse>): Promise<ResultOf<typeof Refuse>> {
    throw new DomainError(code, 'conflict', 'refused over the broker');
  }

  @Handles(Screened)
  @UseGuards(EvenOnlyGuard)
  async screened(@Payload() payload: PayloadOf<typeof Screened>, @Ctx() ctx: MessageContext): Promise<void> {
    await this.uow.once(this.dataSource, async (manager) => {
      await manager.query(`INSERT INTO nestprobe.effect (message_id, handler, n) VALUES ($1, $2, $3)`, [ctx.getEnvelope().id, ctx.getHandlerName(), payload.n]);
    });
  }

  @Handles(Noted)
  // With a pipe in place Nest passes only decorated arguments, so the context needs @Ctx().
  async noted(@Payload() payload: PayloadOf<typeof Noted>, @Ctx() ctx: MessageContext): Promise<void> {
    await this.uow.once(this.dataSource, async (manager) => {
      await manager.query(`INSERT INTO nestprobe.effect (message_id, handler, n) VALUES ($1, $2, $3)`, [ctx.getEnvelope().id, ctx.getHandlerName(), payload.n]);
    });
  }
}

const DELAYS = [100, 200];
const PAGE = { offset: 0, limit: 100 };

describe('Nest transporters over the real RabbitMQ', () => {
  const prefix = uniquePrefix();
  const rmqEnv = { TRANSPORT: 'rmq', RABBITMQ_URL: TEST_RABBITMQ_URL, RMQ_PREFIX: prefix, RETRY_DELAYS_MS: DELAYS.join(','), RMQ_PREFETCH: '5' };
  let db: ScratchDatabase;
  let service: INestMicroservice;
  let serverTransport: Transport;
  let metrics: MetricsRegistry;
  let caller: ContextHarness;
  let client: MessagingClient;
  const effects = async (n: number) =>
    (await service
      .get<DataSource>(dataSourceToken('nestprobe'), { strict: false })
      .query(`SELECT message_id, handler FROM nestprobe.effect WHERE n = $1`, [n])) as {
      message_id: string;
      handler: string;
    }[];

  beforeAll(async () => {
    db = await createScratchDatabase('commerce_it_nest');
    // The service: its handlers on a MessagingServer over RabbitMQ; the messaging module (outbox, inbox) stays in process.
    service = await withEnv({ ...backendEnv({ kind: 'postgres', url: db.url }), TRANSPORT: 'in-process', OUTBOX_POLL_MS: '100' }, async () => {
      const moduleRef = await Test.createTestingModule({
        imports: [
          PlatformModule.forRoot(),
          MessagingModule.forRoot({ service: 'nestlocal' }),
          PersistenceModule.forContext({ context: 'nestprobe', migrations: [CreateNestProbe1764100000000, messagingTablesMigration('nestprobe')] }),
        ],
        controllers: [NestProbeController],
        providers: [EvenOnlyGuard],
      }).compile();
      if (process.env.TEST_LOGS !== '1') moduleRef.useLogger(false);
      metrics = moduleRef.get(MetricsRegistry);
      serverTransport = createTransport(loadMessagingConfig(rmqEnv), 'nestprobe');
      const app = moduleRef.createNestMicroservice({ strategy: new MessagingServer({ transport: serverTransport, metrics }) });
      await app.listen();
      return app;
    });
    caller = await bootContexts({ kind: 'postgres', url: db.url }, [], [], { service: 'nestcaller', env: rmqEnv });
    // The client the messaging module provides; the typed helpers hand it the contracts themselves.
    client = caller.get(MessagingClient);
  });

  afterAll(async () => {
    await caller?.close().catch(() => undefined);
    await service?.close().catch(() => undefined);
    await deleteTopology(prefix, ['nestprobe', 'nestcaller', 'nestlocal'], DELAYS);
    await db?.drop();
  });

  it('answers a @MessagePattern query over request/reply, in the caller’s correlation', async () => {
    const answer = await RequestContext.run({ correlationId: 'nest-rmq-1' }, () => send(client, Echo, { text: 'hi' }));
    expect(answer).toEqual({ text: 'hi', correlationId: 'nest-rmq-1' });
    const { body } = await metrics.scrape();
    const consumed = body.split('\n').find((l) => l.startsWith('commerce_messages_consumed_total{') && l.includes('handler="NestProbeController.echo"'));
    expect(Number(consumed?.split(' ').pop())).toBeGreaterThanOrEqual(1);
  });

  it('checks a request on both sides across the broker: an invalid payload is refused before it is sent', async () => {
    const sent = jest.spyOn(caller.transport, 'request');
    try {
      await expect(send(client, Echo, { text: 5 } as unknown as PayloadOf<typeof Echo>)).rejects.toMatchObject({
        code: 'MESSAGING.INVALID_MESSAGE',
        kind: 'invalid',
      });
      expect(sent).not.toHaveBeenCalled();
    } finally {
      sent.mockRestore();
    }
  });

  it('carries a typed domain error across the broker as data', async () => {
    await expect(send(client, Refuse, { code: 'NESTPROBE.NOPE' })).rejects.toMatchObject({
      code: 'NESTPROBE.NOPE',
      kind: 'conflict',
      message: 'refused over the broker',
    });
  });

  it('delivers an @EventPattern event, and applies a redelivered one once (inbox)', async () => {
    await emit(client, Noted, { n: 1 });
    await waitUntil('the effect', async () => (await effects(1)).length === 1);
    expect((await effects(1))[0].handler).toBe('NestProbeController.noted');

    const raw = JSON.stringify(caller.bus.envelope(Noted, { n: 2 }));
    await caller.transport.publish(Noted.type, raw);
    await caller.transport.publish(Noted.type, raw);
    await waitUntil('the second effect', async () => (await effects(2)).length === 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(await effects(2)).toHaveLength(1);
  });

  it('parks a malformed message in the DLQ at once, with the reason', async () => {
    const breaksSchema = JSON.stringify({ ...caller.bus.envelope(Noted, { n: 3 }), payload: { n: 'three' } });
    await caller.transport.publish(Noted.type, breaksSchema);
    const connection = await connect(TEST_RABBITMQ_URL);
    try {
      const channel = await connection.createConfirmChannel();
      channel.publish(`${prefix}.events`, Noted.type, Buffer.from('{not json'), { persistent: true, type: Noted.type, messageId: 'not-json-1' });
      await channel.waitForConfirms();
    } finally {
      await connection.close();
    }
    await waitUntil('both dead letters', async () => (await serverTransport.list('nestprobe', PAGE)).total === 2);
    const letters = (await serverTransport.list('nestprobe', PAGE)).items;
    expect(letters.map((l) => l.attempts)).toEqual([1, 1]);
    expect(letters.map((l) => l.error)).toEqual(
      expect.arrayContaining([
        expect.stringContaining('MESSAGING.INVALID_MESSAGE: Invalid nestprobe.noted.v1 payload'),
        expect.stringContaining('MESSAGING.INVALID_MESSAGE: Message is not valid JSON'),
      ]),
    );
    expect(await effects(3)).toHaveLength(0);
  });

  it('parks an event its guard refuses at once, with the reason, and handles the one it lets through', async () => {
    const screenedLetters = async () => (await serverTransport.list('nestprobe', PAGE)).items.filter((l) => l.type === Screened.type);
    EvenOnlyGuard.checks = 0;
    await emit(client, Screened, { n: 11 });
    await emit(client, Screened, { n: 12 });
    await waitUntil('the refused event parked', async () => (await screenedLetters()).length === 1);
    await waitUntil('the allowed effect', async () => (await effects(12)).length === 1);
    // Longer than both retry delays (100 and 200 ms): a retried refusal would have come back through the guard.
    await new Promise((r) => setTimeout(r, 500));
    const [letter] = await screenedLetters();
    expect(letter).toMatchObject({ handlers: ['NestProbeController.screened'], attempts: 1 });
    expect(letter.error).toContain('MESSAGING.REJECTED');
    expect(EvenOnlyGuard.checks).toBe(2);
    expect(await effects(11)).toHaveLength(0);
  });
});
