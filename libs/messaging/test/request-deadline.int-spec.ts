import { connect, type ChannelModel } from 'amqplib';
import { ProbeEcho, ProbeModule, ProbeStamp, probeSwitches } from '../../../test/support/probe-context';
import { bootContexts, ContextHarness } from '../../../test/support/context-harness';
import { createScratchDatabase, ScratchDatabase } from '../../../test/support/postgres';
import { deleteTopology, TEST_RABBITMQ_URL, uniquePrefix } from '../../../test/support/rabbitmq';

const DELAYS = [300];

describe('RabbitMQ requests to a queue nobody consumes', () => {
  const prefix = uniquePrefix();
  let db: ScratchDatabase;
  let probe: ContextHarness | undefined;
  let caller: ContextHarness;
  let broker: ChannelModel;

  const boot = (service: string, modules: Parameters<typeof bootContexts>[1]) =>
    bootContexts({ kind: 'postgres', url: db.url }, modules, [], {
      service,
      env: { TRANSPORT: 'rmq', RABBITMQ_URL: TEST_RABBITMQ_URL, RMQ_PREFIX: prefix, RETRY_DELAYS_MS: DELAYS.join(','), OUTBOX_POLL_MS: '100' },
    });
  const messagesIn = async (queue: string) => {
    const channel = await broker.createChannel();
    try {
      return (await channel.checkQueue(queue)).messageCount;
    } finally {
      await channel.close();
    }
  };

  beforeAll(async () => {
    db = await createScratchDatabase('commerce_it_rmq_deadline');
    broker = await connect(TEST_RABBITMQ_URL);
    probeSwitches.instance = 'a';
    probe = await boot('probe', [ProbeModule]);
    caller = await boot('caller', []);
    // The caller learns from these replies which queues answer the two types.
    await expect(caller.bus.request(ProbeEcho, { text: 'up' })).resolves.toEqual({ text: 'up', by: 'a' });
    await expect(caller.bus.send(ProbeStamp, { text: 'up' })).resolves.toEqual({ stamped: 'up@a' });
  });

  afterAll(async () => {
    await probe?.close().catch(() => undefined);
    await caller?.close().catch(() => undefined);
    await broker?.close().catch(() => undefined);
    await deleteTopology(prefix, ['probe', 'caller'], DELAYS);
    await db?.drop();
  });

  it('fails a query soon after its queue lost every consumer, not at its timeout, and does not send the next one', async () => {
    await probe!.close();
    probe = undefined;
    const started = performance.now();
    await expect(caller.bus.request(ProbeEcho, { text: 'down' }, { timeoutMs: 10_000 })).rejects.toMatchObject({
      code: 'MESSAGING.NO_CONSUMER',
      kind: 'unavailable',
      message: expect.stringContaining('was sent'),
    });
    // Typically ~100 ms (one check of the queue); half the timeout leaves room for a loaded machine.
    expect(performance.now() - started).toBeLessThan(5_000);
    // Right after that check, the queue is known idle: the next query fails without being sent.
    await expect(caller.bus.request(ProbeEcho, { text: 'again' }, { timeoutMs: 10_000 })).rejects.toMatchObject({
      code: 'MESSAGING.NO_CONSUMER',
      message: expect.stringContaining('not sent'),
    });
    expect(await messagesIn(`${prefix}.probe.queries`)).toBe(1);
  });

  it('keeps a command it has sent waiting, so a consumer that starts before its deadline still handles it', async () => {
    await new Promise((r) => setTimeout(r, 300)); // what the caller knew about the queue is stale now
    const reply = caller.bus.send(ProbeStamp, { text: 'late' }, { timeoutMs: 60_000 });
    await new Promise((r) => setTimeout(r, 500)); // its queue has been checked and found idle meanwhile
    probeSwitches.instance = 'b';
    probe = await boot('probe', [ProbeModule]);
    await expect(reply).resolves.toEqual({ stamped: 'late@b' });
    // The reply shows the queue has a consumer again: the next command is sent at once, although the
    // last count the caller asked for (a moment before the consumer started) said nobody consumed it.
    await expect(caller.bus.send(ProbeStamp, { text: 'next' }, { timeoutMs: 10_000 })).resolves.toEqual({ stamped: 'next@b' });
  });
});
