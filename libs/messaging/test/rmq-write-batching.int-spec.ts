import { ChannelModel, connect, ConsumeMessage } from 'amqplib';
import type { Duplex } from 'node:stream';
import { batchTurnWrites } from '../src/transport/rmq-write-batching';
import { assertRabbitAnswers, TEST_RABBITMQ_URL, uniquePrefix } from '../../../test/support/rabbitmq';

const MESSAGES = 20;

/** Counts the writes that reach the socket's handle: one per `_write`, one per `_writev` (however many chunks it carries). */
function countHandleWrites(model: ChannelModel): { count: () => number } {
  const socket = (model.connection as unknown as { stream: Duplex & { _write: (...a: unknown[]) => void; _writev?: (...a: unknown[]) => void } }).stream;
  let writes = 0;
  const single = socket._write.bind(socket);
  socket._write = (...args: unknown[]) => {
    writes++;
    single(...args);
  };
  const vector = socket._writev?.bind(socket);
  if (vector) {
    socket._writev = (...args: unknown[]) => {
      writes++;
      vector(...args);
    };
  }
  return { count: () => writes };
}

/** Publishes MESSAGES messages in one turn; resolves with the socket writes that took and the bodies as consumed, in order. */
async function publishInOneTurn(model: ChannelModel): Promise<{ writes: number; received: string[] }> {
  const channel = await model.createChannel();
  const { queue } = await channel.assertQueue(`${uniquePrefix()}.batching`, { exclusive: true, autoDelete: true });
  const received: string[] = [];
  let done: () => void = () => undefined;
  const all = new Promise<void>((resolve) => (done = resolve));
  await channel.consume(
    queue,
    (msg: ConsumeMessage | null) => {
      if (!msg) return;
      received.push(msg.content.toString());
      if (received.length === MESSAGES) done();
    },
    { noAck: true },
  );
  const handle = countHandleWrites(model);
  for (let i = 0; i < MESSAGES; i++) channel.sendToQueue(queue, Buffer.from(String(i)));
  // Nothing else writes on this connection meanwhile: the consumer does not ack (noAck), and no heartbeat is due.
  await all;
  const writes = handle.count();
  await channel.close();
  return { writes, received };
}

describe('RabbitMQ: the frames of one turn leave in one write', () => {
  const opened: ChannelModel[] = [];
  const open = async () => {
    const model = await connect(TEST_RABBITMQ_URL, { noDelay: true });
    opened.push(model);
    return model;
  };

  beforeAll(assertRabbitAnswers);
  afterAll(async () => {
    for (const model of opened) await model.close().catch(() => undefined);
  });

  it('finds the socket of the amqplib in use (an upgrade that hides it fails here, not silently in production)', async () => {
    const model = await open();
    expect(batchTurnWrites(model)).toBe(true);
    expect(batchTurnWrites(model)).toBe(true); // a second call (a reconnection's setup) does not wrap it twice
  });

  it('writes twenty publishes of one turn in one write, in order, where amqplib alone takes one write each', async () => {
    const plain = await publishInOneTurn(await open());
    const batchedModel = await open();
    batchTurnWrites(batchedModel);
    const batched = await publishInOneTurn(batchedModel);

    const inOrder = Array.from({ length: MESSAGES }, (_, i) => String(i));
    expect(plain.received).toEqual(inOrder);
    expect(batched.received).toEqual(inOrder);
    expect(plain.writes).toBeGreaterThanOrEqual(MESSAGES);
    expect(batched.writes).toBe(1);
  });

  it('leaves a connection without a socket that can cork as it is, and says so', () => {
    const model = { connection: { stream: { write: () => true } } } as unknown as ChannelModel;
    expect(batchTurnWrites(model)).toBe(false);
    expect(batchTurnWrites({ connection: {} } as unknown as ChannelModel)).toBe(false);
  });
});
