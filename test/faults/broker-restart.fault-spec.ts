import { execFileSync } from 'node:child_process';
import { UnitOfWork } from '@commerce/messaging';
import { bootContexts, ContextHarness } from '../support/context-harness';
import { createScratchDatabase, ScratchDatabase } from '../support/postgres';
import { ProbeHappened, ProbeModule } from '../support/probe-context';
import { deleteTopology, TEST_RABBITMQ_URL, uniquePrefix } from '../support/rabbitmq';

const COUNT = 60;
const rabbitmqctl = (...args: string[]) => execFileSync('rabbitmqctl', args, { stdio: 'ignore', timeout: 120_000 });

describe('broker restart during a stream of messages', () => {
  const prefix = uniquePrefix();
  let db: ScratchDatabase;
  let probe: ContextHarness;

  beforeAll(async () => {
    db = await createScratchDatabase('commerce_fault_broker');
    probe = await bootContexts({ kind: 'postgres', url: db.url }, [ProbeModule], [], {
      service: 'probe',
      env: { TRANSPORT: 'rmq', RABBITMQ_URL: TEST_RABBITMQ_URL, RMQ_PREFIX: prefix, RETRY_DELAYS_MS: '200,400', OUTBOX_POLL_MS: '200' },
    });
  });

  afterAll(async () => {
    await probe?.close();
    await deleteTopology(prefix, ['probe'], [200, 400]).catch(() => undefined);
    await db?.drop();
  });

  it('loses nothing and applies nothing twice', async () => {
    const uow = probe.get(UnitOfWork);
    const ds = probe.dataSource('probe');
    const emit = (n: number) => uow.transaction(ds, async (_m, e) => e(ProbeHappened, { n, failTimes: 0 }));

    for (let n = 0; n < COUNT / 2; n++) {
      await emit(n);
      await new Promise((r) => setTimeout(r, 20));
    }
    rabbitmqctl('stop_app');
    try {
      for (let n = COUNT / 2; n < COUNT; n++) await emit(n); // written to the outbox while the broker is down
    } finally {
      rabbitmqctl('start_app');
    }
    rabbitmqctl('await_startup');

    const deadline = Date.now() + 90_000;
    let rows: { n: number }[] = [];
    while (Date.now() < deadline) {
      rows = (await ds.query(`SELECT n FROM probe.effect ORDER BY n`)) as { n: number }[];
      if (rows.length >= COUNT) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    await new Promise((r) => setTimeout(r, 1500));
    rows = (await ds.query(`SELECT n FROM probe.effect ORDER BY n`)) as { n: number }[];
    expect(rows.map((r) => r.n)).toEqual(Array.from({ length: COUNT }, (_, i) => i));
    const [{ unsent }] = (await ds.query(`SELECT count(*)::int AS unsent FROM probe.outbox WHERE sent_at IS NULL`)) as { unsent: number }[];
    expect(unsent).toBe(0);
  });
});
