import { connect, type ChannelModel, type ConfirmChannel, type ConsumeMessage } from 'amqplib';
import { randomUUID } from 'node:crypto';
import { createScratchDatabase, ScratchDatabase } from '../support/postgres';
import { deleteTopology, TEST_RABBITMQ_URL, uniquePrefix } from '../support/rabbitmq';
import { RunningTopology, SERVICES, startTopology } from '../support/topology';
import { waitUntil } from '../support/wait-until';

// A client that knows nothing of Nest or of this code base: plain amqplib and the wire format of
// docs/messaging/wire-format.md, against the monolith over RabbitMQ and Postgres.
type Reply = { ok: true; result: Record<string, unknown> } | { ok: false; error: { code: string; kind: string; message: string } };

describe('a client that is not Nest speaks the documented wire format (plain amqplib, monolith over RabbitMQ)', () => {
  const prefix = uniquePrefix();
  let scratch: ScratchDatabase;
  let running: RunningTopology;
  let connection: ChannelModel;
  let channel: ConfirmChannel;
  const waiting = new Map<string, (msg: ConsumeMessage) => void>();

  const envelope = (type: string, kind: 'event' | 'command' | 'query', payload: unknown) => ({
    id: randomUUID(),
    type,
    kind,
    correlationId: `interop-${randomUUID()}`,
    timestamp: new Date().toISOString(),
    payload,
  });

  /** A query or command: to the requests exchange, routed by type, answered on direct reply-to. */
  const ask = (type: string, payload: unknown) =>
    new Promise<{ reply: Reply; msg: ConsumeMessage }>((resolve, reject) => {
      const correlationId = randomUUID();
      const timer = setTimeout(() => (waiting.delete(correlationId), reject(new Error(`no reply to ${type} within 10 s`))), 10_000);
      waiting.set(correlationId, (msg) => (clearTimeout(timer), resolve({ reply: JSON.parse(msg.content.toString('utf8')) as Reply, msg })));
      channel.publish(`${prefix}.requests`, type, Buffer.from(JSON.stringify(envelope(type, 'query', payload))), {
        replyTo: 'amq.rabbitmq.reply-to',
        correlationId,
        type,
        expiration: '10000',
        contentType: 'application/json',
      });
    });

  /** An event: to the events exchange, routed by type, persistent, confirmed by the broker. */
  const announce = async (message: ReturnType<typeof envelope>) => {
    channel.publish(`${prefix}.events`, message.type, Buffer.from(JSON.stringify(message)), {
      messageId: message.id,
      type: message.type,
      persistent: true,
      contentType: 'application/json',
    });
    await channel.waitForConfirms();
  };

  beforeAll(async () => {
    scratch = await createScratchDatabase('commerce_e2e_interop');
    running = await startTopology('monolith-rmq', scratch.url, { SEED_DEMO_CATALOG: 'true', RMQ_PREFIX: prefix });
    connection = await connect(TEST_RABBITMQ_URL);
    channel = await connection.createConfirmChannel();
    await channel.consume('amq.rabbitmq.reply-to', (msg) => msg && waiting.get(String(msg.properties.correlationId))?.(msg), { noAck: true });
  }, 120_000);

  afterAll(async () => {
    await connection?.close().catch(() => undefined);
    await running?.close();
    await deleteTopology(prefix, ['monolith', 'gateway', ...SERVICES], [200, 400]);
    await scratch?.drop();
  });

  it('gets the answer to a query, and a failed query as an error reply', async () => {
    const listed = await ask('catalog.list-products.v1', { query: 'mug', limit: 5 });
    expect(listed.reply).toMatchObject({ ok: true, result: { items: [expect.objectContaining({ id: expect.any(String), name: expect.any(String) })] } });
    expect(listed.msg.properties).toMatchObject({ contentType: 'application/json', headers: { 'x-request-queue': `${prefix}.monolith.queries` } });
    const [product] = (listed.reply as unknown as { result: { items: { id: string; name: string }[] } }).result.items;

    await expect(ask('catalog.get-product.v1', { id: product.id })).resolves.toMatchObject({
      reply: { ok: true, result: { id: product.id, name: product.name } },
    });
    await expect(ask('catalog.get-product.v1', { id: randomUUID() })).resolves.toMatchObject({
      reply: { ok: false, error: { code: 'CATALOG.PRODUCT_NOT_FOUND', kind: 'not-found' } },
    });
    await expect(ask('catalog.get-product.v1', { id: 'not-a-uuid' })).resolves.toMatchObject({
      reply: { ok: false, error: { code: 'MESSAGING.INVALID_MESSAGE', kind: 'invalid' } },
    });
  });

  it('publishes an event that a service handles once, even when it is published twice', async () => {
    const customerId = `interop-${randomUUID()}`;
    const orderId = randomUUID();
    const price = { amount: 1200, currency: 'EUR' };
    const placed = envelope('ordering.order-placed.v1', 'event', {
      orderId,
      customerId,
      email: 'interop@example.com',
      total: price,
      lines: [{ productId: randomUUID(), quantity: 1, unitPrice: price }],
      placedAt: new Date().toISOString(),
    });
    await announce(placed);
    await announce(placed); // the same message id: the service's inbox applies it once

    let items: { orderId: string; status: string }[] = [];
    await waitUntil('reporting lists the order announced by the amqplib client', async () => {
      const { reply } = await ask('reporting.list-customer-orders.v1', { customerId });
      items = reply.ok ? (reply.result.items as typeof items) : [];
      return items.length > 0;
    });
    await new Promise((r) => setTimeout(r, 500)); // room for a second (wrong) effect of the duplicate
    const { reply } = await ask('reporting.list-customer-orders.v1', { customerId });
    expect(reply).toMatchObject({ ok: true, result: { total: 1, items: [{ orderId, status: 'PLACED', total: price }] } });
  });
});
