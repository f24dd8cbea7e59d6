import { Transport, UnitOfWork } from '@commerce/messaging';
import type { DataSource } from 'typeorm';
import { ProbeHappened, ProbeModule } from '../../../test/support/probe-context';
import { bootContexts, ContextHarness } from '../../../test/support/context-harness';
import { assertPostgresAnswers, createScratchDatabase, ScratchDatabase } from '../../../test/support/postgres';
import { waitUntil } from '../../../test/support/wait-until';
import { OutboxRelay } from '../src/outbox/outbox-relay';

/** Counts the relay's claim statements on a DataSource (each also marks what was published). */
function countClaims(ds: DataSource): { claims: () => number } {
  let claims = 0;
  const query = ds.query.bind(ds);
  ds.query = ((sql: string, ...rest: unknown[]) => {
    if (sql.trimStart().startsWith('WITH sent AS')) claims++;
    return query(sql, ...(rest as []));
  }) as typeof ds.query;
  return { claims: () => claims };
}

/** Holds the transport's publishes while `hold()` is in force; `failNext` refuses the next one. */
function gate(transport: Transport) {
  const publish = transport.publish.bind(transport);
  let gated: Promise<void> | undefined;
  let open: () => void = () => undefined;
  let refuse = 0;
  transport.publish = async (type: string, raw: string) => {
    await gated;
    if (refuse > 0) {
      refuse--;
      throw new Error('broker refused the publish (test)');
    }
    return publish(type, raw);
  };
  return {
    hold: () => (gated = new Promise<void>((resolve) => (open = resolve))),
    release: () => ((gated = undefined), open()),
    failNext: () => (refuse = 1),
  };
}

async function emitOne(uow: UnitOfWork, ds: DataSource, n: number): Promise<string> {
  await uow.transaction(ds, async (_m, emit) => emit(ProbeHappened, { n, failTimes: 0 }));
  const [row] = (await ds.query(`SELECT id FROM probe.outbox ORDER BY created_at DESC LIMIT 1`)) as { id: string }[];
  return row.id;
}

const state = async (ds: DataSource, id: string) => {
  const [row] = (await ds.query(
    `SELECT o.sent_at IS NOT NULL AS sent, o.claimed_until IS NOT NULL AS leased,
            (SELECT count(*)::int FROM probe.attempt a WHERE a.message_id = o.id) AS deliveries
     FROM probe.outbox o WHERE o.id = $1`,
    [id],
  )) as { sent: boolean; leased: boolean; deliveries: number }[];
  return row;
};

/**
 * The writer hands its committed outbox rows to the relay, which publishes them from memory (no
 * claim statement), marks them sent with its next claim, and never ships them twice meanwhile.
 * Real Postgres, the in-process transport, no sweep unless a test kicks one.
 */
describe('outbox rows handed over by their writer', () => {
  let db: ScratchDatabase;

  beforeAll(async () => {
    await assertPostgresAnswers();
    db = await createScratchDatabase('commerce_handover');
  });
  afterAll(async () => {
    await db?.drop();
  });

  describe('with the relay on', () => {
    let harness: ContextHarness;
    let uow: UnitOfWork;
    let relay: OutboxRelay;
    let ds: DataSource;
    let claims: () => number;
    let broker: ReturnType<typeof gate>;

    beforeAll(async () => {
      harness = await bootContexts({ kind: 'postgres', url: db.url }, [ProbeModule], [], {
        // No sweep and no timed mark unless a test makes one; the sweep leaves rows younger than 500 ms.
        env: { OUTBOX_POLL_MS: '600000', OUTBOX_CLAIM_MS: '600000', OUTBOX_MARK_MS: '600000', OUTBOX_SWEEP_AFTER_MS: '500' },
      });
      uow = harness.get(UnitOfWork);
      relay = harness.get(OutboxRelay);
      ds = harness.dataSource('probe');
      await new Promise((r) => setTimeout(r, 100)); // the start-up sweep's claim has run
      claims = countClaims(ds).claims;
      broker = gate(harness.transport);
    });
    afterAll(async () => {
      await harness?.close();
    });

    it('publishes a committed unit of work at once, with no claim, and marks it sent with the next claim', async () => {
      const before = claims();
      const id = await emitOne(uow, ds, 1);
      await waitUntil('one delivery', async () => (await state(ds, id)).deliveries === 1, 5000);
      expect(claims()).toBe(before);
      expect(await state(ds, id)).toEqual({ sent: false, leased: false, deliveries: 1 });

      relay.kick(ds); // a claim, as another writer's kick makes
      await waitUntil('the row marked sent', async () => (await state(ds, id)).sent, 5000);
      await harness.settle();
      expect((await state(ds, id)).deliveries).toBe(1); // marked, not shipped again
    });

    it('keeps rows being published out of a claim that runs meanwhile', async () => {
      const before = claims();
      broker.hold();
      const id = await emitOne(uow, ds, 2);
      relay.kick(ds); // a sweep while the handed-over publish waits for the broker
      await waitUntil('a claim', async () => claims() > before, 5000);
      await new Promise((r) => setTimeout(r, 100));
      expect((await state(ds, id)).leased).toBe(false); // not claimed by that sweep
      broker.release();
      await waitUntil('one delivery', async () => (await state(ds, id)).deliveries === 1, 5000);
      relay.kick(ds);
      await waitUntil('the row marked sent', async () => (await state(ds, id)).sent, 5000);
      await harness.settle();
      expect((await state(ds, id)).deliveries).toBe(1);
    });

    it('leaves a young row another writer committed to that writer, and ships it once it is old enough', async () => {
      const sweep = () => (relay as unknown as { sweep(): void }).sweep();
      const [{ id }] = (await ds.query(`INSERT INTO probe.outbox (id, type, envelope) VALUES (gen_random_uuid(), 'probe.happened.v1', '') RETURNING id`)) as {
        id: string;
      }[];
      const envelope = JSON.parse(
        ((await ds.query(`SELECT envelope FROM probe.outbox ORDER BY created_at DESC OFFSET 1 LIMIT 1`)) as { envelope: string }[])[0].envelope,
      ) as Record<string, unknown>;
      await ds.query(`UPDATE probe.outbox SET envelope = $2 WHERE id = $1`, [id, JSON.stringify({ ...envelope, id })]);
      const before = claims();
      sweep();
      await waitUntil('the sweep', async () => claims() > before, 5000);
      expect(await state(ds, id)).toEqual({ sent: false, leased: false, deliveries: 0 });
      await new Promise((r) => setTimeout(r, 600));
      sweep();
      await waitUntil('one delivery', async () => (await state(ds, id)).deliveries === 1, 5000);
    });

    it('gives a row the broker refused back to the outbox, for the sweep to ship', async () => {
      broker.failNext();
      const id = await emitOne(uow, ds, 3);
      await new Promise((r) => setTimeout(r, 200));
      expect(await state(ds, id)).toEqual({ sent: false, leased: false, deliveries: 0 });
      relay.kick(ds);
      await waitUntil('one delivery', async () => (await state(ds, id)).deliveries === 1, 5000);
      relay.kick(ds);
      await waitUntil('the row marked sent', async () => (await state(ds, id)).sent, 5000);
    });
  });

  it('marks handed-over rows sent within OUTBOX_MARK_MS, with no claim', async () => {
    const harness = await bootContexts({ kind: 'postgres', url: db.url }, [ProbeModule], [], {
      env: { OUTBOX_POLL_MS: '600000', OUTBOX_CLAIM_MS: '600000', OUTBOX_MARK_MS: '50' },
    });
    try {
      const ds = harness.dataSource('probe');
      await new Promise((r) => setTimeout(r, 100));
      const { claims } = countClaims(ds);
      const ids: string[] = [];
      for (let n = 10; n < 15; n++) ids.push(await emitOne(harness.get(UnitOfWork), ds, n));
      await waitUntil('all marked sent', async () => (await Promise.all(ids.map((id) => state(ds, id)))).every((s) => s.sent), 5000);
      expect(claims()).toBe(0);
      expect((await Promise.all(ids.map((id) => state(ds, id)))).map((s) => s.deliveries)).toEqual([1, 1, 1, 1, 1]);
    } finally {
      await harness.close();
    }
  });

  describe('with the relay off', () => {
    it('leaves a committed unit of work’s rows in the outbox, unpublished', async () => {
      const harness = await bootContexts({ kind: 'postgres', url: db.url }, [ProbeModule], [], { env: { OUTBOX_RELAY: 'off' } });
      try {
        const ds = harness.dataSource('probe');
        const id = await emitOne(harness.get(UnitOfWork), ds, 4);
        await new Promise((r) => setTimeout(r, 300));
        expect(await state(ds, id)).toEqual({ sent: false, leased: false, deliveries: 0 });
      } finally {
        await harness.close();
      }
    });
  });
});
