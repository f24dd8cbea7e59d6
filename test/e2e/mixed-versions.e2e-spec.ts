import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { connect, type Channel, type ChannelModel } from 'amqplib';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { TEST_ADDRESS } from '../support/fixtures';
import { bearer, call, newCustomer } from '../support/http-harness';
import { createScratchDatabase, ScratchDatabase } from '../support/postgres';
import { deleteTopology, TEST_RABBITMQ_URL, uniquePrefix } from '../support/rabbitmq';
import { RunningTopology, SERVICES, startTopology } from '../support/topology';
import { waitUntil } from '../support/wait-until';

// A peer of the previous release, reduced to what it knows: the released contracts
// (libs/contracts/released). Over RabbitMQ it reads what the current services send, and sends
// what it could have sent, to the current services.
type Schema = { required?: string[]; properties?: Record<string, unknown> };
const released = JSON.parse(readFileSync(resolve(__dirname, '../../libs/contracts/released/messages.json'), 'utf8')) as Record<
  string,
  { kind: string; payload: Schema; result: Schema }
>;
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
const readers = new Map(Object.entries(released).map(([type, r]) => [type, ajv.compile(r.payload)]));
const FINAL = ['CONFIRMED', 'REJECTED', 'CANCELLED', 'COMPENSATION_FAILED'];

describe('mixed versions over RabbitMQ: the released contracts against the current services', () => {
  const prefix = uniquePrefix();
  let scratch: ScratchDatabase;
  let running: RunningTopology;
  let connection: ChannelModel;
  let channel: Channel;
  const seen: { type: string; payload: unknown }[] = [];

  beforeAll(async () => {
    scratch = await createScratchDatabase('commerce_e2e_mixed');
    running = await startTopology('monolith-rmq', scratch.url, { SEED_DEMO_CATALOG: 'true', RMQ_PREFIX: prefix });
    connection = await connect(TEST_RABBITMQ_URL);
    channel = await connection.createChannel();
    // A released reader's copy of every event and every request (a direct exchange copies to each bound queue).
    const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true });
    await channel.bindQueue(queue, `${prefix}.events`, '#');
    for (const [type, r] of Object.entries(released)) if (r.kind !== 'event') await channel.bindQueue(queue, `${prefix}.requests`, type);
    await channel.consume(queue, (msg) => {
      if (!msg) return;
      const envelope = JSON.parse(msg.content.toString()) as { type: string; payload: unknown };
      seen.push({ type: envelope.type, payload: envelope.payload });
      channel.ack(msg);
    });
  });

  afterAll(async () => {
    await connection?.close().catch(() => undefined);
    await running?.close();
    await deleteTopology(prefix, ['monolith', 'gateway', ...SERVICES], [200, 400]);
    await scratch?.drop();
  });

  const orderEnds = async (orderId: string, token: string) => {
    let status = '';
    await waitUntil(
      `order ${orderId} ends`,
      async () => {
        status = String((await call(running.baseUrl, 'GET', `/api/orders/${orderId}`, undefined, bearer(token))).body.status);
        return FINAL.includes(status);
      },
      60_000,
    );
    return status;
  };

  it('a released reader understands every message the current services send while an order completes', async () => {
    const customer = await newCustomer(running.baseUrl);
    const products = (await call(running.baseUrl, 'GET', '/api/products?q=mug')).body as unknown as { items: { id: string }[] };
    const order = { lines: [{ productId: products.items[0].id, quantity: 1 }], paymentToken: 'tok_visa', email: customer.email, shippingAddress: TEST_ADDRESS };
    const placed = await call(running.baseUrl, 'POST', '/api/orders', order, customer.auth);
    expect(placed.status).toBe(202);
    expect(await orderEnds(String(placed.body.orderId), customer.token)).toBe('CONFIRMED');
    await waitUntil('the order-confirmed event reaches the released reader', async () => seen.some((m) => m.type === 'ordering.order-confirmed.v1'));
    const unreadable = seen.flatMap((m) => {
      const read = readers.get(m.type);
      if (!read) return [`${m.type}: not a released type`];
      return read(m.payload) ? [] : [`${m.type}: ${ajv.errorsText(read.errors)}`];
    });
    expect(unreadable).toEqual([]);
    expect(new Set(seen.map((m) => m.type)).size).toBeGreaterThanOrEqual(5);
  });

  it('the current services complete an order a released producer places with only the fields it knew as required', async () => {
    const customer = await newCustomer(running.baseUrl);
    const products = (await call(running.baseUrl, 'GET', '/api/products?q=mug')).body as unknown as { items: { id: string }[] };
    const schema = released['ordering.place-order.v1'].payload;
    const full: Record<string, unknown> = {
      customerId: customer.id,
      email: customer.email,
      lines: [{ productId: products.items[0].id, quantity: 1 }],
      shippingAddress: TEST_ADDRESS,
      paymentToken: 'tok_visa',
      idempotencyKey: randomUUID(),
    };
    const payload = Object.fromEntries(Object.entries(full).filter(([k]) => schema.required!.includes(k)));
    expect(readers.get('ordering.place-order.v1')!(payload)).toBe(true);
    const envelope = {
      id: randomUUID(),
      type: 'ordering.place-order.v1',
      kind: 'command',
      correlationId: randomUUID(),
      timestamp: new Date().toISOString(),
      payload,
    };
    const reply = await new Promise<{ ok: boolean; result?: { orderId: string }; error?: unknown }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no reply to the released PlaceOrder within 30 s')), 30_000);
      void channel
        .consume(
          'amq.rabbitmq.reply-to',
          (msg) => {
            clearTimeout(timer);
            resolve(JSON.parse(msg!.content.toString()));
          },
          { noAck: true },
        )
        .then(() =>
          channel.publish(`${prefix}.requests`, envelope.type, Buffer.from(JSON.stringify(envelope)), {
            replyTo: 'amq.rabbitmq.reply-to',
            correlationId: envelope.correlationId,
            type: envelope.type,
            contentType: 'application/json',
          }),
        );
    });
    expect(reply).toMatchObject({ ok: true, result: { orderId: expect.any(String) } });
    expect(readers.has('ordering.place-order.v1') && ajv.validate(released['ordering.place-order.v1'].result, reply.result)).toBe(true);
    expect(await orderEnds(reply.result!.orderId, customer.token)).toBe('CONFIRMED');
  });
});
