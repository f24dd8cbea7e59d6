import { randomUUID } from 'node:crypto';
import { waitUntil } from '../../../test/support/wait-until';
import { connect } from 'amqplib';
import { OutboxRelay } from '../src/outbox/outbox-relay';
import { ProbeEcho, ProbeHappened, Probe2Module, ProbeModule, probeSwitches } from '../../../test/support/probe-context';
import { bootContexts, ContextHarness } from '../../../test/support/context-harness';
import { createScratchDatabase, ScratchDatabase } from '../../../test/support/postgres';
import { deleteTopology, TEST_RABBITMQ_URL, uniquePrefix } from '../../../test/support/rabbitmq';

const DELAYS = [300, 600];
const PAGE = { offset: 0, limit: 100 };

describe('RabbitMQ transport against the real broker', () => {
  const prefix = uniquePrefix();
  let db: ScratchDatabase;
  const running: ContextHarness[] = [];

  const boot = async (service: string, modules: Parameters<typeof bootContexts>[1], instance = 'a') => {
    probeSwitches.instance = instance;
    const harness = await bootContexts({ kind: 'postgres', url: db.url }, modules, [], {
      service,
      env: {
        TRANSPORT: 'rmq',
        RABBITMQ_URL: TEST_RABBITMQ_URL,
        RMQ_PREFIX: prefix,
        RETRY_DELAYS_MS: DELAYS.join(','),
        RMQ_PREFETCH: '5',
        OUTBOX_POLL_MS: '100',
      },
    });
    running.push(harness);
    return harness;
  };
  const stop = async (harness: ContextHarness) => {
    running.splice(running.indexOf(harness), 1);
    await harness.close();
  };

  let probe: ContextHarness;
  let other: ContextHarness;
  let publisher: ContextHarness;
  const effects = async (where = 'true', params: unknown[] = []) =>
    (await probe.dataSource('probe').query(`SELECT message_id, n, instance FROM probe.effect WHERE ${where} ORDER BY n`, params)) as {
      message_id: string;
      n: number;
      instance: string;
    }[];

  beforeAll(async () => {
    db = await createScratchDatabase('commerce_it_rmq');
    probe = await boot('probe', [ProbeModule]);
    other = await boot('probe2', [Probe2Module]);
    publisher = await boot('publisher', []);
  });

  afterAll(async () => {
    for (const h of running.splice(0)) await h.close().catch(() => undefined);
    await deleteTopology(prefix, ['probe', 'probe2', 'publisher'], DELAYS);
    await db?.drop();
  });

  beforeEach(() => {
    probeSwitches.alwaysFail = false;
    probeSwitches.delayMs = 0;
  });

  it('answers a query over request/reply, and says when nobody handles a type', async () => {
    await expect(publisher.bus.request(ProbeEcho, { text: 'hi' })).resolves.toEqual({ text: 'hi', by: expect.any(String) });
    const Unhandled = { ...ProbeEcho, type: 'probe.unhandled.v1' };
    await expect(publisher.bus.request(Unhandled, { text: 'x' })).rejects.toMatchObject({ code: 'MESSAGING.NO_HANDLER' });
  });

  it('keeps an event nobody subscribes to in the unrouted queue instead of dropping it', async () => {
    const Unheard = { ...ProbeHappened, type: 'probe.unheard.v1' };
    await publisher.bus.publish(Unheard, { n: 9001, failTimes: 0 });
    const connection = await connect(TEST_RABBITMQ_URL);
    const channel = await connection.createChannel();
    try {
      await waitUntil('the unrouted event', async () => (await channel.checkQueue(`${prefix}.unrouted`)).messageCount >= 1);
      const msg = await channel.get(`${prefix}.unrouted`, { noAck: true });
      expect(msg && JSON.parse(msg.content.toString())).toMatchObject({ type: 'probe.unheard.v1', payload: { n: 9001 } });
    } finally {
      await connection.close();
    }
  });

  it('fans an event out to every subscribing service', async () => {
    const n = 1001;
    await publisher.bus.publish(ProbeHappened, { n, failTimes: 0 });
    await waitUntil('both services', async () => {
      const [a] = (await probe.dataSource('probe').query(`SELECT count(*)::int AS c FROM probe.effect WHERE n = $1`, [n])) as { c: number }[];
      const [b] = (await other.dataSource('probe2').query(`SELECT count(*)::int AS c FROM probe2.seen WHERE n = $1`, [n])) as { c: number }[];
      return a.c === 1 && b.c === 1;
    });
  });

  it('applies a redelivered message once (inbox)', async () => {
    const envelope = publisher.bus.envelope(ProbeHappened, { n: 2001, failTimes: 0 });
    const raw = JSON.stringify(envelope);
    await publisher.transport.publish(ProbeHappened.type, raw);
    await publisher.transport.publish(ProbeHappened.type, raw);
    await waitUntil('the effect', async () => (await effects('n = $1', [2001])).length === 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(await effects('n = $1', [2001])).toHaveLength(1);
  });

  it('retries a failing handler on the backoff schedule, then succeeds', async () => {
    await publisher.bus.publish(ProbeHappened, { n: 3001, failTimes: 2 });
    await waitUntil('the effect', async () => (await effects('n = $1', [3001])).length === 1);
    const [row] = await effects('n = $1', [3001]);
    const attempts = (await probe.dataSource('probe').query(`SELECT at FROM probe.attempt WHERE message_id = $1 ORDER BY at`, [row.message_id])) as {
      at: Date;
    }[];
    expect(attempts).toHaveLength(3);
    const gaps = [attempts[1].at.getTime() - attempts[0].at.getTime(), attempts[2].at.getTime() - attempts[1].at.getTime()];
    expect(gaps[0]).toBeGreaterThanOrEqual(DELAYS[0] - 20);
    expect(gaps[1]).toBeGreaterThanOrEqual(DELAYS[1] - 20);
  });

  it('parks a message that always fails in the dead-letter queue, with its error, and replays it', async () => {
    probeSwitches.alwaysFail = true;
    await publisher.bus.publish(ProbeHappened, { n: 4001, failTimes: 0 });
    let letters: Awaited<ReturnType<typeof probe.transport.list>>['items'] = [];
    await waitUntil('a dead letter', async () => {
      letters = (await probe.transport.list('probe', PAGE)).items;
      return letters.some((l) => l.preview.includes('"n":4001'));
    });
    const letter = letters.find((l) => l.preview.includes('"n":4001'))!;
    expect(letter).toMatchObject({ type: ProbeHappened.type, attempts: DELAYS.length + 1, handlers: ['ProbeHandlers.onHappened'], truncated: false });
    expect(letter.error).toContain('PROBE.FAILED');
    expect(await probe.transport.get('probe', letter.id)).toMatchObject({ id: letter.id, message: { payload: { n: 4001 } } });
    probeSwitches.alwaysFail = false;
    await expect(probe.transport.replay('probe', letter.id)).resolves.toBe(true);
    await waitUntil('the replayed effect', async () => (await effects('n = $1', [4001])).length === 1);
    expect((await probe.transport.list('probe', PAGE)).items.some((l) => l.id === letter.id)).toBe(false);
  });

  it('sends a malformed message straight to the dead-letter queue and keeps consuming', async () => {
    const connection = await connect(TEST_RABBITMQ_URL);
    const channel = await connection.createConfirmChannel();
    channel.publish(`${prefix}.events`, ProbeHappened.type, Buffer.from('{this is not json'), { persistent: true, type: ProbeHappened.type });
    channel.publish(`${prefix}.events`, ProbeHappened.type, Buffer.from(JSON.stringify({ id: randomUUID(), type: ProbeHappened.type })), {
      persistent: true,
      type: ProbeHappened.type,
    });
    await channel.waitForConfirms();
    await connection.close();
    await publisher.bus.publish(ProbeHappened, { n: 5001, failTimes: 0 });
    await waitUntil('the next good message', async () => (await effects('n = $1', [5001])).length === 1);
    const letters = (await probe.transport.list('probe', PAGE)).items;
    const garbage = letters.filter((l) => l.error.includes('MESSAGING.INVALID_MESSAGE'));
    expect(garbage.length).toBeGreaterThanOrEqual(2);
    expect(garbage.some((l) => l.preview === '{this is not json')).toBe(true);
    for (const l of garbage) await expect(probe.transport.discard('probe', l.id)).resolves.toBe(true);
  });

  it('acks a burst of deliveries together, and still parks a bad one in the middle of it alone', async () => {
    const connection = await connect(TEST_RABBITMQ_URL);
    const channel = await connection.createConfirmChannel();
    const base = 5100;
    const send = (content: string) =>
      channel.publish(`${prefix}.events`, ProbeHappened.type, Buffer.from(content), { persistent: true, type: ProbeHappened.type });
    for (let i = 0; i < 21; i++) send(i === 10 ? '{bad in the middle' : JSON.stringify(publisher.bus.envelope(ProbeHappened, { n: base + i, failTimes: 0 })));
    await channel.waitForConfirms();
    await waitUntil('20 effects', async () => (await effects('n >= $1 AND n < $2', [base, base + 21])).length === 20);
    await waitUntil('every delivery settled', async () => (probe.transport as unknown as { unsettled(): number }).unsettled() === 0);
    await new Promise((r) => setTimeout(r, 300));
    // Nothing left unacked to come back, nothing applied twice, and the bad one parked once, with its reason.
    expect((await channel.checkQueue(`${prefix}.probe.events`)).messageCount).toBe(0);
    await connection.close();
    expect(await effects('n >= $1 AND n < $2', [base, base + 21])).toHaveLength(20);
    const letters = (await probe.transport.list('probe', PAGE)).items.filter((l) => l.preview === '{bad in the middle');
    expect(letters).toHaveLength(1);
    expect(letters[0].error).toContain('MESSAGING.INVALID_MESSAGE');
    await probe.transport.discard('probe', letters[0].id);
  });

  it('shares one service queue between two instances, with no duplicate effects', async () => {
    probeSwitches.delayMs = 30;
    const second = await boot('probe', [ProbeModule], 'b');
    try {
      const connection = await connect(TEST_RABBITMQ_URL);
      const channel = await connection.createChannel();
      expect((await channel.checkQueue(`${prefix}.probe.events`)).consumerCount).toBe(2);
      await connection.close();
      const base = 6000;
      await Promise.all(Array.from({ length: 40 }, (_, i) => publisher.bus.publish(ProbeHappened, { n: base + i, failTimes: 0 })));
      await waitUntil('40 effects', async () => (await effects('n >= $1 AND n < $2', [base, base + 40])).length === 40, 30_000);
      const rows = await effects('n >= $1 AND n < $2', [base, base + 40]);
      expect(new Set(rows.map((r) => r.n)).size).toBe(40);
    } finally {
      await stop(second);
    }
  });

  it('delivers an event published while its consumer was down once it is back', async () => {
    await stop(probe);
    await publisher.bus.publish(ProbeHappened, { n: 7001, failTimes: 0 });
    probe = await boot('probe', [ProbeModule]);
    await waitUntil('the late delivery', async () => (await effects('n = $1', [7001])).length === 1);
  });
});

describe('outbox relays in two processes on one schema', () => {
  const prefix = uniquePrefix();
  let db: ScratchDatabase;
  const harnesses: ContextHarness[] = [];

  beforeAll(async () => {
    db = await createScratchDatabase('commerce_it_relays');
    for (let i = 0; i < 2; i++) {
      harnesses.push(
        await bootContexts({ kind: 'postgres', url: db.url }, [Probe2Module], [], {
          service: 'relay',
          env: { TRANSPORT: 'rmq', RABBITMQ_URL: TEST_RABBITMQ_URL, RMQ_PREFIX: prefix, RETRY_DELAYS_MS: DELAYS.join(','), OUTBOX_POLL_MS: '50' },
        }),
      );
    }
  });

  afterAll(async () => {
    for (const h of harnesses) await h.close().catch(() => undefined);
    await deleteTopology(prefix, ['relay'], DELAYS);
    await db?.drop();
  });

  it('never ship the same row twice, and prune sent rows after the retention period', async () => {
    const connection = await connect(TEST_RABBITMQ_URL);
    const channel = await connection.createChannel();
    const tap = `${prefix}.tap`;
    await channel.assertQueue(tap, { durable: false, autoDelete: true });
    await channel.bindQueue(tap, `${prefix}.events`, 'probe.tapped.v1');
    const seen: string[] = [];
    await channel.consume(tap, (msg) => msg && seen.push(String(msg.properties.messageId)), { noAck: true });

    const ds = harnesses[0].dataSource('probe2');
    const count = 300;
    await ds.query(
      `INSERT INTO probe2.outbox (id, type, envelope)
       SELECT id, 'probe.tapped.v1', json_build_object('id', id, 'type', 'probe.tapped.v1', 'kind', 'event', 'correlationId', 'c', 'timestamp', now(), 'payload', json_build_object('n', n))::text
       FROM (SELECT gen_random_uuid() AS id, n FROM generate_series(1, $1) AS n) rows`,
      [count],
    );
    await waitUntil('every row shipped', async () => seen.length >= count, 20_000);
    await new Promise((r) => setTimeout(r, 500));
    expect(seen).toHaveLength(count);
    expect(new Set(seen).size).toBe(count);
    await connection.close();

    await ds.query(`UPDATE probe2.outbox SET sent_at = now() - interval '100 hours'`);
    await harnesses[0].get(OutboxRelay).prune();
    expect(Number((await ds.query(`SELECT count(*) AS n FROM probe2.outbox`))[0].n)).toBe(0);
  });

  it('leave a row leased by a relay that died alone until its lease ends, then ship it once and mark it sent', async () => {
    const connection = await connect(TEST_RABBITMQ_URL);
    const channel = await connection.createChannel();
    const tap = `${prefix}.tap-lease`;
    await channel.assertQueue(tap, { durable: false, autoDelete: true });
    await channel.bindQueue(tap, `${prefix}.events`, 'probe.tapped.v1');
    const seen: string[] = [];
    await channel.consume(tap, (msg) => msg && seen.push(String(msg.properties.messageId)), { noAck: true });

    const ds = harnesses[0].dataSource('probe2');
    const [{ id }] = (await ds.query(
      `INSERT INTO probe2.outbox (id, type, envelope, claimed_until)
       SELECT id, 'probe.tapped.v1', json_build_object('id', id, 'type', 'probe.tapped.v1', 'kind', 'event', 'correlationId', 'c', 'timestamp', now(), 'payload', json_build_object('n', 1))::text,
              clock_timestamp() + interval '1 second'
       FROM (SELECT gen_random_uuid() AS id) row RETURNING id`,
    )) as { id: string }[];
    await new Promise((r) => setTimeout(r, 500)); // several sweeps (OUTBOX_POLL_MS 50) while the lease lasts
    expect(seen).not.toContain(id);
    await waitUntil('the row shipped after its lease', async () => seen.includes(id), 10_000);
    await waitUntil('the row marked sent', async () => (await ds.query(`SELECT sent_at FROM probe2.outbox WHERE id = $1`, [id]))[0].sent_at !== null, 5_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(seen.filter((s) => s === id)).toHaveLength(1);
    await connection.close();
  });
});
