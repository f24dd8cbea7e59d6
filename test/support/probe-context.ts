import { Controller, Module } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { defineCommand, defineEvent, defineQuery, DomainError, Envelope, PayloadOf } from '@commerce/contracts';
import { Handles, MessageContext, messagingTablesMigration, UnitOfWork } from '@commerce/messaging';
import { InjectDataSource, PersistenceModule } from '@commerce/platform';
import { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import { z } from 'zod';

/** A test-only context: events whose effects are rows, and switches to make handlers fail. */
export const ProbeHappened = defineEvent('probe.happened.v1', z.object({ n: z.number().int(), failTimes: z.number().int().min(0).default(0) }));
export const ProbeStamp = defineCommand('probe.stamp.v1', z.strictObject({ text: z.string() }), z.object({ stamped: z.string() }));
export const ProbeEcho = defineQuery('probe.echo.v1', z.strictObject({ text: z.string() }), z.object({ text: z.string(), by: z.string() }));

class CreateProbe1764000000000 implements MigrationInterface {
  name = 'CreateProbe1764000000000';
  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE probe.effect (message_id uuid NOT NULL, handler text NOT NULL, n int NOT NULL, instance text NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())`,
    );
    await q.query(`CREATE TABLE probe.attempt (message_id uuid NOT NULL, handler text NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE probe.effect, probe.attempt`);
  }
}

/** Handler switches shared by every handler in the process. */
export const probeSwitches = { alwaysFail: false, delayMs: 0, instance: 'a' };

async function handle(dataSource: DataSource, uow: UnitOfWork, handler: string, payload: PayloadOf<typeof ProbeHappened>, envelope: Envelope): Promise<void> {
  const [{ tries }] = (await dataSource.query(
    `WITH ins AS (INSERT INTO probe.attempt (message_id, handler) VALUES ($1, $2) RETURNING 1) SELECT (SELECT count(*) FROM probe.attempt WHERE message_id = $1 AND handler = $2)::int + 1 AS tries`,
    [envelope.id, handler],
  )) as { tries: number }[];
  if (probeSwitches.delayMs) await new Promise((r) => setTimeout(r, probeSwitches.delayMs));
  if (probeSwitches.alwaysFail || tries <= payload.failTimes) throw new DomainError('PROBE.FAILED', 'unavailable', `probe failure on try ${tries}`);
  await uow.once(dataSource, async (manager) => {
    await manager.query(`INSERT INTO probe.effect (message_id, handler, n, instance) VALUES ($1, $2, $3, $4)`, [
      envelope.id,
      handler,
      payload.n,
      probeSwitches.instance,
    ]);
  });
}

@Controller()
class ProbeHandlers {
  constructor(
    @InjectDataSource('probe') private readonly dataSource: DataSource,
    private readonly uow: UnitOfWork,
  ) {}

  @Handles(ProbeHappened)
  onHappened(@Payload() payload: PayloadOf<typeof ProbeHappened>, @Ctx() ctx: MessageContext): Promise<void> {
    const envelope = ctx.getEnvelope();
    return handle(this.dataSource, this.uow, 'ProbeHandlers.onHappened', payload, envelope);
  }

  @Handles(ProbeEcho)
  async echo({ text }: PayloadOf<typeof ProbeEcho>) {
    return { text, by: probeSwitches.instance };
  }

  @Handles(ProbeStamp)
  async stamp({ text }: PayloadOf<typeof ProbeStamp>) {
    return { stamped: `${text}@${probeSwitches.instance}` };
  }
}

/** The probe context as a module. */
@Module({
  imports: [PersistenceModule.forContext({ context: 'probe', migrations: [CreateProbe1764000000000, messagingTablesMigration('probe')] })],
  controllers: [ProbeHandlers],
})
export class ProbeModule {}

/** A second subscriber in another "service", with its own schema. */
@Controller()
class EchoHandlers {
  constructor(
    @InjectDataSource('probe2') private readonly dataSource: DataSource,
    private readonly uow: UnitOfWork,
  ) {}

  @Handles(ProbeHappened)
  onHappened(@Payload() payload: PayloadOf<typeof ProbeHappened>, @Ctx() ctx: MessageContext): Promise<void> {
    const envelope = ctx.getEnvelope();
    return this.uow
      .once(this.dataSource, async (manager) => {
        await manager.query(`INSERT INTO probe2.seen (message_id, n) VALUES ($1, $2)`, [envelope.id, payload.n]);
      })
      .then(() => undefined);
  }
}

class CreateProbe21764000000000 implements MigrationInterface {
  name = 'CreateProbe21764000000000';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE probe2.seen (message_id uuid NOT NULL, n int NOT NULL)`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE probe2.seen`);
  }
}

/** The second subscribing context. */
@Module({
  imports: [PersistenceModule.forContext({ context: 'probe2', migrations: [CreateProbe21764000000000, messagingTablesMigration('probe2')] })],
  controllers: [EchoHandlers],
})
export class Probe2Module {}
