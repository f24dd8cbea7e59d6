import { ReadinessRegistry } from '@commerce/platform';
import { Channel, connect, ChannelModel, ConfirmChannel, Options } from 'amqplib';
import { randomUUID } from 'node:crypto';
import { bootContexts, ContextHarness } from '../../../test/support/context-harness';
import { createScratchDatabase, ScratchDatabase } from '../../../test/support/postgres';
import { ProbeEcho, ProbeHappened, ProbeModule, ProbeStamp, probeSwitches } from '../../../test/support/probe-context';
import { deleteTopology, TEST_RABBITMQ_URL, uniquePrefix } from '../../../test/support/rabbitmq';
import { waitUntil } from '../../../test/support/wait-until';
import { RmqTransport } from '../src/transport/rmq.transport';

const DELAYS = [200, 400];
const PREFETCH = 5;
const UNSETTLED_MAX_MS = 1000;
// A table whose key is "!": amqplib writes it with its type trapdoor, and reads it back as a value it cannot write again.
const bang = (inner: unknown) => ({ '!': 'object', value: { '!': 'bang', inner } });
const nested = bang([1, 'two', bang({ deeper: { deepest: [bang(null)] } })]);
const huge = 'x'.repeat(30_000);

/** Every header we read, with a wrong type or shape; each of these events must end in the DLQ with its reason. */
const HOSTILE_EVENT_HEADERS: { headers?: Record<string, unknown>; type?: string | null; reason: RegExp }[] = [
  { headers: { 'x-attempt': 'abc' }, reason: /invalid delivery headers.*x-attempt/ },
  { headers: { 'x-attempt': -1 }, reason: /invalid delivery headers.*x-attempt/ },
  { headers: { 'x-attempt': 1.5 }, reason: /invalid delivery headers.*x-attempt/ },
  { headers: { 'x-attempt': 1e12 }, reason: /invalid delivery headers.*x-attempt/ },
  { headers: { 'x-attempt': nested }, reason: /invalid delivery headers.*x-attempt/ },
  { headers: { 'x-attempt': [1] }, reason: /invalid delivery headers.*x-attempt/ },
  { headers: { 'x-attempt': true }, reason: /invalid delivery headers.*x-attempt/ },
  { headers: { 'x-attempt': huge }, reason: /invalid delivery headers.*x-attempt/ },
  { headers: { 'x-handlers': 'ProbeHandlers.onHappened' }, reason: /invalid delivery headers.*x-handlers/ },
  { headers: { 'x-handlers': [1, 2] }, reason: /invalid delivery headers.*x-handlers/ },
  { headers: { 'x-handlers': [nested] }, reason: /invalid delivery headers.*x-handlers/ },
  { headers: { 'x-handlers': nested }, reason: /invalid delivery headers.*x-handlers/ },
  { headers: { 'x-handlers': [huge] }, reason: /invalid delivery headers.*x-handlers/ },
  { headers: { 'x-handlers': Array.from({ length: 500 }, () => 'ProbeHandlers.onHappened') }, reason: /invalid delivery headers.*x-handlers/ },
  { headers: { 'x-attempt': nested, 'x-handlers': [huge], other: nested }, reason: /invalid delivery headers/ },
  { type: null, reason: /no handler for/ }, // no type, no headers, no message id, no content type
  { type: 'probe.nobody-handles.v1', headers: { 'x-attempt': 0 }, reason: /no handler for probe\.nobody-handles\.v1/ },
];

describe('hostile deliveries against the real broker: every one is acked, retried or dead-lettered', () => {
  const prefix = uniquePrefix();
  let db: ScratchDatabase;
  let probe: ContextHarness;
  let publisher: ContextHarness;
  let client: ChannelModel;
  let raw: ConfirmChannel;
  let replies: Channel;
  const replyQueue = `${prefix}.test-replies`;
  const received = new Map<string, { ok: boolean; error?: { code: string } }>();
  const queue = (suffix: string) => `${prefix}.probe.${suffix}`;

  const boot = (service: string, modules: Parameters<typeof bootContexts>[1], rmqPrefix = prefix) =>
    bootContexts({ kind: 'postgres', url: db.url }, modules, [], {
      service,
      env: {
        TRANSPORT: 'rmq',
        RABBITMQ_URL: TEST_RABBITMQ_URL,
        RMQ_PREFIX: rmqPrefix,
        RETRY_DELAYS_MS: DELAYS.join(','),
        RMQ_PREFETCH: String(PREFETCH),
        RMQ_UNSETTLED_MAX_MS: String(UNSETTLED_MAX_MS),
      },
    });
  const envelope = (type: string, kind: string, payload: unknown) =>
    JSON.stringify({ id: randomUUID(), type, kind, correlationId: randomUUID(), timestamp: new Date().toISOString(), payload });
  const send = async (target: string, body: string, options: Options.Publish) => {
    raw.sendToQueue(target, Buffer.from(body), options);
    await raw.waitForConfirms();
  };
  const effects = async (n: number) => (await probe.dataSource('probe').query(`SELECT 1 FROM probe.effect WHERE n = $1`, [n])).length as number;
  const busReadiness = async () => {
    const results = await Promise.all(
      probe
        .get(ReadinessRegistry)
        .all()
        .map((check) => check()),
    );
    return Object.assign({}, ...results).bus as { status: string; message?: string };
  };
  const allLetters = async () => (await probe.transport.list('probe', { offset: 0, limit: 100 })).items;
  const rmq = () => probe.transport as RmqTransport;
  /** Ready messages and consumers of a queue, or undefined when it does not exist (checked on a channel of its own). */
  const queueState = async (name: string) => {
    const channel = await client.createChannel();
    channel.on('error', () => undefined);
    try {
      return await channel.checkQueue(name);
    } catch {
      return undefined;
    } finally {
      await channel.close().catch(() => undefined);
    }
  };

  beforeAll(async () => {
    db = await createScratchDatabase('commerce_it_hostile');
    probe = await boot('probe', [ProbeModule]);
    publisher = await boot('publisher', []);
    client = await connect(TEST_RABBITMQ_URL);
    raw = await client.createConfirmChannel();
    replies = await client.createChannel();
    await replies.assertQueue(replyQueue, { exclusive: true });
    await replies.consume(replyQueue, (msg) => msg && received.set(String(msg.properties.correlationId), JSON.parse(msg.content.toString())), { noAck: true });
  });

  afterAll(async () => {
    await client?.close().catch(() => undefined);
    await probe?.close().catch(() => undefined);
    await publisher?.close().catch(() => undefined);
    await deleteTopology(prefix, ['probe', 'publisher'], DELAYS);
    await db?.drop();
  });

  beforeEach(() => {
    probeSwitches.alwaysFail = false;
    probeSwitches.delayMs = 0;
  });

  it('dead-letters hostile events, requests nobody can answer, answers bad requests, and goes on with real traffic', async () => {
    const samples: string[] = [];
    let sampling = true;
    const sampler = (async () => {
      for (let i = 0; i < 2000 && sampling; i++) {
        const bus = await busReadiness();
        samples.push(`${bus.status}${bus.message ? `: ${bus.message}` : ''}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();

    for (const [i, hostile] of HOSTILE_EVENT_HEADERS.entries()) {
      const body = envelope(ProbeHappened.type, 'event', { n: 90_000 + i, failTimes: 0 });
      const options: Options.Publish =
        hostile.type === null ? {} : { type: hostile.type ?? ProbeHappened.type, headers: hostile.headers, messageId: `hostile-${i}` };
      await send(queue('events'), body, { persistent: true, ...options });
    }
    // Odd headers the transport does not read are harmless: handled, and retried despite them.
    await send(queue('events'), envelope(ProbeHappened.type, 'event', { n: 90_100, failTimes: 1 }), {
      type: ProbeHappened.type,
      headers: { 'x-junk': nested, 'x-huge': huge, 'x-list': [nested, 1, 'a'] },
    });
    for (const [kind, contract] of [
      ['commands', ProbeStamp],
      ['queries', ProbeEcho],
    ] as const) {
      for (let i = 0; i < PREFETCH + 2; i++) {
        // Nobody to answer: parked, not run.
        await send(queue(kind), envelope(contract.type, contract.kind, { text: `orphan-${kind}-${i}` }), {
          type: contract.type,
          headers: { 'x-attempt': nested },
        });
      }
      await send(queue(kind), '{not json', { replyTo: replyQueue, correlationId: `bad-${kind}`, headers: { 'x-handlers': nested, 'x-huge': huge } });
      await send(queue(kind), envelope(contract.type, contract.kind, { text: 'fine' }), {
        replyTo: replyQueue,
        correlationId: `good-${kind}`,
        headers: { 'x-attempt': 'abc' },
      });
    }
    for (let i = 0; i < 5; i++) await publisher.bus.publish(ProbeHappened, { n: 91_000 + i, failTimes: 0 });
    await expect(publisher.bus.request(ProbeEcho, { text: 'after' })).resolves.toMatchObject({ text: 'after' });
    await expect(publisher.bus.send(ProbeStamp, { text: 'after' })).resolves.toMatchObject({ stamped: expect.stringContaining('after@') });

    await waitUntil('the real events', async () => (await Promise.all([0, 1, 2, 3, 4].map((i) => effects(91_000 + i)))).every((n) => n === 1), 30_000);
    await waitUntil('the retried event with odd headers', async () => (await effects(90_100)) === 1, 30_000);
    await waitUntil('every hostile delivery parked', async () => (await allLetters()).length >= HOSTILE_EVENT_HEADERS.length + 2 * (PREFETCH + 2), 30_000);
    await waitUntil('the error replies', async () => received.size === 4, 30_000);
    sampling = false;
    await sampler;

    const letters = await allLetters();
    for (const [i, hostile] of HOSTILE_EVENT_HEADERS.entries()) {
      const letter = letters.filter((l) => l.preview.includes(`"n":${90_000 + i},`));
      expect({ i, count: letter.length }).toEqual({ i, count: 1 });
      expect({ i, error: letter[0].error }).toEqual({ i, error: expect.stringMatching(hostile.reason) });
    }
    const orphans = letters.filter((l) => l.preview.includes('orphan-'));
    expect(orphans).toHaveLength(2 * (PREFETCH + 2));
    for (const orphan of orphans) expect(orphan.error).toContain('request without reply-to');
    expect(letters.some((l) => l.preview.includes('"n":90100') || l.preview.includes('"n":91000'))).toBe(false);
    for (const kind of ['commands', 'queries']) {
      expect(received.get(`bad-${kind}`)).toMatchObject({ ok: false, error: { code: 'MESSAGING.INVALID_MESSAGE' } });
      expect(received.get(`good-${kind}`)).toMatchObject({ ok: true });
    }

    // Nothing left waiting or unacknowledged, and every consumer still there.
    await waitUntil('nothing unsettled', async () => rmq().unsettled() === 0);
    for (const suffix of ['events', 'commands', 'queries']) {
      const state = await queueState(queue(suffix));
      expect({ suffix, messages: state?.messageCount, consumers: state?.consumerCount }).toEqual({ suffix, messages: 0, consumers: 1 });
    }
    expect(samples.length).toBeGreaterThan(0);
    expect(samples.filter((s) => s !== 'up')).toEqual([]);
  }, 90_000);

  it('is not ready while a delivery stays unsettled past the bound, and ready again once it settles', async () => {
    probeSwitches.delayMs = UNSETTLED_MAX_MS * 6;
    await publisher.bus.publish(ProbeHappened, { n: 92_000, failTimes: 0 });
    await waitUntil('readiness down for the slow delivery', async () => (await busReadiness()).status === 'down', 20_000);
    expect((await busReadiness()).message).toMatch(/unsettled for more than/);
    await waitUntil('the slow delivery handled', async () => (await effects(92_000)) === 1, 30_000);
    await waitUntil('readiness up again', async () => (await busReadiness()).status === 'up');
  }, 60_000);

  it('reports a consumer the broker cancelled and starts it again', async () => {
    const seen: string[] = [];
    let watching = true;
    const watcher = (async () => {
      for (let i = 0; i < 1000 && watching; i++) {
        const bus = await busReadiness();
        if (bus.status === 'down') seen.push(bus.message ?? '');
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    await raw.deleteQueue(queue('events')); // the broker cancels the consumer
    await waitUntil('the consumer back', async () => (await queueState(queue('events')))?.consumerCount === 1, 20_000);
    watching = false;
    await watcher;
    expect(seen.some((m) => m.includes('events consumer stopped: cancelled by the broker'))).toBe(true);
    await publisher.bus.publish(ProbeHappened, { n: 93_000, failTimes: 0 });
    await waitUntil('an event after the restart', async () => (await effects(93_000)) === 1, 20_000);
    expect((await busReadiness()).status).toBe('up');
  }, 60_000);

  it('keeps working on an events queue declared before, without the dead-letter exchange (an existing deployment)', async () => {
    const older = uniquePrefix();
    await raw.assertQueue(`${older}.probe.events`, { durable: true });
    const legacy = await boot('probe', [ProbeModule], older);
    try {
      await legacy.bus.publish(ProbeHappened, { n: 94_000, failTimes: 0 });
      await waitUntil('the event handled on the older queue', async () => (await effects(94_000)) === 1, 20_000);
      const results = await Promise.all(
        legacy
          .get(ReadinessRegistry)
          .all()
          .map((check) => check()),
      );
      expect(Object.assign({}, ...results).bus).toMatchObject({ status: 'up' });
    } finally {
      await legacy.close();
      await deleteTopology(older, ['probe'], DELAYS);
    }
  }, 60_000);
});
