import { UnitOfWork } from '@commerce/messaging';
import { randomUUID } from 'node:crypto';
import { ProbeHappened, ProbeModule } from '../../../test/support/probe-context';
import { bootContexts, ContextHarness } from '../../../test/support/context-harness';
import { createScratchDatabase, ScratchDatabase } from '../../../test/support/postgres';

/** The outbox side of a unit of work on real Postgres: what `emit` writes, when, and in which order. */
describe('UnitOfWork.transaction and its outbox rows', () => {
  let db: ScratchDatabase;
  let harness: ContextHarness;
  let uow: UnitOfWork;

  beforeAll(async () => {
    db = await createScratchDatabase('commerce_uow');
    harness = await bootContexts({ kind: 'postgres', url: db.url }, [ProbeModule]);
    uow = harness.get(UnitOfWork);
  });
  afterAll(async () => {
    await harness?.close();
    await db?.drop();
  });

  it('writes every event of a transaction with its state, in emit order, in one statement', async () => {
    const statements: string[] = [];
    const ds = harness.dataSource('probe');
    await uow.transaction(ds, async (manager, emit) => {
      const runner = manager.queryRunner!;
      const query = runner.query.bind(runner);
      runner.query = ((sql: string, ...rest: unknown[]) => (statements.push(sql), query(sql, ...(rest as [])))) as typeof runner.query;
      await manager.query(`INSERT INTO probe.attempt (message_id, handler) VALUES ($1, 'uow-spec')`, [randomUUID()]);
      for (let n = 0; n < 6; n++) await emit(ProbeHappened, { n, failTimes: 0 });
    });
    expect(statements.filter((sql) => sql.includes('.outbox'))).toHaveLength(1);
    const rows = (await ds.query(`SELECT envelope FROM probe.outbox ORDER BY created_at DESC LIMIT 6`)) as { envelope: string }[];
    const ns = rows.map((r) => (JSON.parse(r.envelope) as { payload: { n: number } }).payload.n).reverse();
    expect(ns).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('refuses a bad event where it is emitted, and a failed transaction leaves no event behind', async () => {
    const ds = harness.dataSource('probe');
    const before = (await ds.query(`SELECT count(*)::int AS n FROM probe.outbox`)) as { n: number }[];
    await expect(
      uow.transaction(ds, async (_m, emit) => {
        await emit(ProbeHappened, { n: 1.5 } as never);
      }),
    ).rejects.toMatchObject({ code: 'MESSAGING.INVALID_MESSAGE' });
    await expect(
      uow.transaction(ds, async (_m, emit) => {
        await emit(ProbeHappened, { n: 7, failTimes: 0 });
        throw new Error('the work failed after emitting');
      }),
    ).rejects.toThrow('the work failed after emitting');
    const after = (await ds.query(`SELECT count(*)::int AS n FROM probe.outbox`)) as { n: number }[];
    expect(after[0].n).toBe(before[0].n);
  });
});
