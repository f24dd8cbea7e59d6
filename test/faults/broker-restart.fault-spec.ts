import { UnitOfWork } from '@commerce/messaging';
import { bootContexts, ContextHarness } from '../support/context-harness';
import { createScratchDatabase, ScratchDatabase } from '../support/postgres';
import { ProbeHappened, ProbeModule } from '../support/probe-context';
import { PrivateBroker, startPrivateBroker } from '../support/private-broker';
import { uniquePrefix } from '../support/rabbitmq';

const COUNT = 60;

/** The broker is stopped and started here: a node of this suite's own, so nothing else sharing the machine's broker is disturbed. */
describe('broker restart during a stream of messages', () => {
  const prefix = uniquePrefix();
  let db: ScratchDatabase;
  let probe: ContextHarness;
  let broker: PrivateBroker;

  beforeAll(async () => {
    broker = await startPrivateBroker();
    db = await createScratchDatabase('commerce_fault_broker');
    probe = await bootContexts({ kind: 'postgres', url: db.url }, [ProbeModule], [], {
      service: 'probe',
      env: { TRANSPORT: 'rmq', RABBITMQ_URL: broker.url, RMQ_PREFIX: prefix, RETRY_DELAYS_MS: '200,400', OUTBOX_POLL_MS: '200' },
    });
  });

  afterAll(async () => {
    await probe?.close();
    await broker?.close();
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
    await broker.stopApp();
    try {
      for (let n = COUNT / 2; n < COUNT; n++) await emit(n); // written to the outbox while the broker is down
    } finally {
      await broker.startApp();
    }

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
