import { createContextDataSource, migrateContext } from '@commerce/platform';
import { EVENT_CURSOR_COLUMNS, ProjectionDefinition, ProjectionRunner, projectionTablesMigration } from '@commerce/projections';
import { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import { createScratchDatabase, ScratchDatabase } from '../../../test/support/postgres';
import { waitUntil } from '../../../test/support/wait-until';

class CreateEventLog1700000000000 implements MigrationInterface {
  name = 'CreateEventLog1700000000000';
  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE proj_it.event (${EVENT_CURSOR_COLUMNS}, type text NOT NULL, data jsonb NOT NULL, recorded_at timestamptz NOT NULL DEFAULT clock_timestamp())`,
    );
    await q.query(`CREATE INDEX ON proj_it.event (tx, position)`);
  }
  async down(): Promise<void> {}
}

const database = { context: 'proj_it', migrations: [CreateEventLog1700000000000, projectionTablesMigration('proj_it')] };
const fault = { poisonFixed: false, batchBroken: false, batchCalls: 0, largestBatch: 0 };

/** Counts how often each event was applied, and fails on a poison event until it is "fixed". */
const tally: ProjectionDefinition = {
  name: 'tally',
  tables: [{ name: 'tally', create: (t) => [`CREATE TABLE ${t} (key text PRIMARY KEY, applied integer NOT NULL, total bigint NOT NULL)`] }],
  handlers: {
    counted: async (e, { manager, table }) => {
      if (e.data.poison && !fault.poisonFixed) throw new Error('cannot count a poison event');
      await manager.query(
        `INSERT INTO ${table('tally')} (key, applied, total) VALUES ($1, 1, $2) ON CONFLICT (key) DO UPDATE SET applied = ${table('tally')}.applied + 1, total = ${table('tally')}.total + $2`,
        [String(e.data.key), Number(e.data.n)],
      );
    },
  },
};
/** A second projection on the same log that never fails. */
const seen: ProjectionDefinition = {
  name: 'seen',
  tables: [{ name: 'seen', create: (t) => [`CREATE TABLE ${t} (position bigint PRIMARY KEY)`] }],
  handlers: { counted: async (e, { manager, table }) => void (await manager.query(`INSERT INTO ${table('seen')} (position) VALUES ($1)`, [e.position])) },
};

/** Sums per key, written a batch at a time (one statement), with the per-event handler as reference. */
const sums: ProjectionDefinition = {
  name: 'sums',
  tables: [{ name: 'sums', create: (t) => [`CREATE TABLE ${t} (key text PRIMARY KEY, events integer NOT NULL, total bigint NOT NULL)`] }],
  handlers: {
    counted: async (e, { manager, table }) => {
      await manager.query(
        `INSERT INTO ${table('sums')} (key, events, total) VALUES ($1, 1, $2) ON CONFLICT (key) DO UPDATE SET events = ${table('sums')}.events + 1, total = ${table('sums')}.total + $2`,
        [String(e.data.key), Number(e.data.n)],
      );
    },
  },
  applyBatch: async (events, { manager, table }) => {
    fault.batchCalls++;
    fault.largestBatch = Math.max(fault.largestBatch, events.length);
    if (fault.batchBroken) throw new Error('a bug in the batch writer');
    await manager.query(
      `INSERT INTO ${table('sums')} (key, events, total) SELECT key, count(*), sum(n) FROM unnest($1::text[], $2::bigint[]) AS e(key, n) GROUP BY key
         ON CONFLICT (key) DO UPDATE SET events = ${table('sums')}.events + EXCLUDED.events, total = ${table('sums')}.total + EXCLUDED.total`,
      [events.map((e) => String(e.data.key)), events.map((e) => Number(e.data.n))],
    );
  },
};

describe('projection runner on real Postgres', () => {
  let db: ScratchDatabase;
  let a: DataSource;
  let b: DataSource;
  let runnerA: ProjectionRunner;
  let runnerB: ProjectionRunner;

  const append = (key: string, n: number, extra: Record<string, unknown> = {}, via: DataSource = a) =>
    via.query(`INSERT INTO proj_it.event (type, data) VALUES ('counted', $1)`, [JSON.stringify({ key, n, ...extra })]);
  const tallyOf = async (key: string) =>
    ((await a.query(`SELECT applied, total::int AS total FROM proj_it.tally WHERE key = $1`, [key])) as { applied: number; total: number }[])[0];
  const drain = async (runner: ProjectionRunner) => {
    for (let i = 0; i < 1000 && (await runner.tick()) > 0; i++);
  };
  // Another transaction anywhere on the server holds the read horizon back for a moment: poll.
  const settle = (what: string, runner: ProjectionRunner, done: () => Promise<boolean>) => waitUntil(what, async () => (await drain(runner), done()), 30_000);
  const stateOf = async (name: string) => (await runnerA.status()).find((s) => s.name === name && s.live)!;

  beforeAll(async () => {
    db = await createScratchDatabase('commerce_it_projections');
    a = createContextDataSource(database, { url: db.url }, 4);
    b = createContextDataSource(database, { url: db.url }, 4);
    await Promise.all([a.initialize(), b.initialize()]);
    await migrateContext(a, database);
    runnerA = new ProjectionRunner(a, 'proj_it', { table: 'proj_it.event' }, [tally, seen, sums], { batchSize: 50 });
    runnerB = new ProjectionRunner(b, 'proj_it', { table: 'proj_it.event' }, [tally, seen, sums], { batchSize: 50 });
    await Promise.all([runnerA.install(), runnerB.install()]);
  });

  afterAll(async () => {
    await a?.destroy();
    await b?.destroy();
    await db?.drop();
  });

  it('never skips an event whose transaction commits after later ones', async () => {
    const slow = a.createQueryRunner();
    await slow.connect();
    await slow.startTransaction();
    // Takes the lower position and transaction id, then stays open while later events commit.
    await slow.query(`INSERT INTO proj_it.event (type, data) VALUES ('counted', '{"key":"late","n":1}')`);
    await append('late', 10);
    await append('late', 100);
    await drain(runnerA);
    // Events behind the open transaction wait; nothing moves the checkpoint past the gap.
    expect(await tallyOf('late')).toBeUndefined();
    await slow.commitTransaction();
    await slow.release();
    await waitUntil('the late events to be applied', async () => (await drain(runnerA), (await tallyOf('late'))?.applied === 3));
    expect(await tallyOf('late')).toEqual({ applied: 3, total: 111 });
  });

  it('reads events of one transaction in position order across batches (9 < 10 < 100, not as text)', async () => {
    await a.query(`INSERT INTO proj_it.event (type, data) SELECT 'counted', jsonb_build_object('key', 'bulk', 'n', g) FROM generate_series(1, 1234) g`);
    await settle('the bulk events to be applied', runnerA, async () => (await tallyOf('bulk'))?.applied === 1234);
    expect(await tallyOf('bulk')).toEqual({ applied: 1234, total: (1234 * 1235) / 2 });
  });

  it('two runners sharing the work apply every event exactly once', async () => {
    const keys = Array.from({ length: 40 }, (_, i) => `shared-${i}`);
    const writers = Promise.all(
      [0, 1, 2, 3].map((w) =>
        (async () => {
          for (let i = 0; i < 100; i++) await append(keys[(w * 100 + i) % keys.length], 1, {}, w % 2 ? a : b);
        })(),
      ),
    );
    const run = async (runner: ProjectionRunner) => {
      for (let i = 0; i < 400; i++) {
        await runner.tick();
        await new Promise((r) => setTimeout(r, 5));
      }
    };
    await Promise.all([writers, run(runnerA), run(runnerB)]);
    await settle('every shared event to be applied', runnerA, async () => (await runnerA.status()).every((s) => s.eventsBehind === 0));
    const rows = (await a.query(`SELECT sum(applied)::int AS applied, sum(total)::int AS total FROM proj_it.tally WHERE key LIKE 'shared-%'`)) as {
      applied: number;
      total: number;
    }[];
    expect(rows[0]).toEqual({ applied: 400, total: 400 });
    const [{ duplicates }] = (await a.query(`SELECT count(*)::int AS duplicates FROM proj_it.tally WHERE key LIKE 'shared-%' AND applied <> total`)) as {
      duplicates: number;
    }[];
    expect(duplicates).toBe(0);
    expect((await runnerA.status()).every((s) => s.state === 'running')).toBe(true);
  });

  it('a poison event stops only its projection, with the reason, and it resumes after a fix and a retry', async () => {
    await append('poisoned', 1, { poison: true });
    await append('after-poison', 5);
    await settle(
      'the poison event to stop tally',
      runnerA,
      async () => (await stateOf('tally')).state === 'failed' && (await stateOf('seen')).eventsBehind === 0,
    );
    const status = await runnerA.status();
    const failed = status.find((s) => s.name === 'tally')!;
    expect(failed).toMatchObject({ state: 'failed', live: true });
    expect(failed.reason).toContain('cannot count a poison event');
    expect(failed.eventsBehind).toBeGreaterThanOrEqual(2);
    // The other projection on the same log carried on past the poison event.
    expect(status.find((s) => s.name === 'seen')).toMatchObject({ state: 'running', eventsBehind: 0 });
    expect(await tallyOf('after-poison')).toBeUndefined();
    // A retry before the fix stops at the same event again.
    expect(await runnerA.retry('tally')).toBe(1);
    await settle('tally to fail again', runnerA, async () => (await stateOf('tally')).state === 'failed');
    expect((await stateOf('tally')).reason).toContain('cannot count a poison event');
    fault.poisonFixed = true;
    await runnerA.retry('tally');
    await settle('tally to resume', runnerA, async () => (await tallyOf('after-poison')) !== undefined);
    expect(await tallyOf('poisoned')).toEqual({ applied: 1, total: 1 });
    expect(await tallyOf('after-poison')).toEqual({ applied: 1, total: 5 });
    expect((await runnerA.status()).find((s) => s.name === 'tally')).toMatchObject({ state: 'running', eventsBehind: 0 });
  });

  it('writes with applyBatch, and applies a batch event by event when applyBatch fails, exactly once either way', async () => {
    const sumsOf = async () => (await a.query(`SELECT key, events, total::int AS total FROM proj_it.sums WHERE key LIKE 'batch-%' ORDER BY key`)) as unknown[];
    const expected = async () =>
      (await a.query(
        `SELECT data->>'key' AS key, count(*)::int AS events, sum((data->>'n')::int)::int AS total FROM proj_it.event WHERE data->>'key' LIKE 'batch-%' GROUP BY 1 ORDER BY 1`,
      )) as unknown[];
    await a.query(
      `INSERT INTO proj_it.event (type, data) SELECT 'counted', jsonb_build_object('key', 'batch-' || g % 3, 'n', g) FROM generate_series(1, 120) g`,
    );
    await settle('the batch events to be summed', runnerA, async () => (await stateOf('sums')).eventsBehind === 0);
    expect(fault.largestBatch).toBe(50);
    expect(await sumsOf()).toEqual(await expected());
    fault.batchBroken = true;
    const calls = fault.batchCalls;
    await a.query(
      `INSERT INTO proj_it.event (type, data) SELECT 'counted', jsonb_build_object('key', 'batch-' || g % 4, 'n', g) FROM generate_series(1, 70) g`,
    );
    await settle('the events to be summed one by one', runnerA, async () => (await stateOf('sums')).eventsBehind === 0);
    fault.batchBroken = false;
    expect(fault.batchCalls).toBeGreaterThan(calls);
    expect(await sumsOf()).toEqual(await expected());
    expect((await runnerA.status()).every((s) => s.state === 'running')).toBe(true);
  });

  it('rebuilds beside the live model under a live stream; readers always get an answer; the result equals a build from scratch', async () => {
    await settle('tally to catch up', runnerA, async () => (await stateOf('tally')).eventsBehind === 0);
    const before = ((await a.query(`SELECT count(*)::int AS n FROM proj_it.tally`)) as { n: number }[])[0].n;
    let writing = true;
    let reads = 0;
    const writer = (async () => {
      for (let i = 0; i < 300 && writing; i++) await append(`live-${i % 7}`, i);
    })();
    const reader = (async () => {
      for (let i = 0; i < 2000 && writing; i++) {
        const [{ n }] = (await b.query(`SELECT count(*)::int AS n FROM proj_it.tally`)) as { n: number }[];
        expect(n).toBeGreaterThanOrEqual(before);
        reads++;
      }
    })();
    const version = await runnerB.rebuild('tally');
    expect(version).toBe(2);
    const runners = (async () => {
      for (let i = 0; i < 3000; i++) {
        await Promise.all([runnerA.tick(), runnerB.tick()]);
        if ((await stateOf('tally')).version === 2) return;
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    await runners;
    writing = false;
    await Promise.all([writer, reader]);
    await settle('the rebuilt tally to catch up', runnerA, async () => (await stateOf('tally')).eventsBehind === 0);
    expect(reads).toBeGreaterThan(0);
    const status = (await runnerA.status()).filter((s) => s.name === 'tally');
    expect(status).toEqual([expect.objectContaining({ version: 2, live: true, state: 'running', eventsBehind: 0 })]);
    const [{ old }] = (await a.query(`SELECT to_regclass('proj_it.tally_v1') AS old`)) as { old: string | null }[];
    expect(old).toBeNull();
    // From scratch: the same sums straight from the log.
    const expected = (await a.query(
      `SELECT data->>'key' AS key, count(*)::int AS applied, sum((data->>'n')::int)::int AS total FROM proj_it.event GROUP BY 1 ORDER BY 1`,
    )) as unknown[];
    const actual = (await a.query(`SELECT key, applied, total::int AS total FROM proj_it.tally ORDER BY key`)) as unknown[];
    expect(actual).toEqual(expected);
  });
});
