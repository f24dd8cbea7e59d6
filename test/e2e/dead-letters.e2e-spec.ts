import { connect } from 'amqplib';
import { bearer, call } from '../support/http-harness';
import { createScratchDatabase, ScratchDatabase } from '../support/postgres';
import { deleteTopology, TEST_RABBITMQ_URL, uniquePrefix } from '../support/rabbitmq';
import { RunningTopology, startTopology } from '../support/topology';
import { waitUntil } from '../support/wait-until';

const BIG = 5 * 1024 * 1024;
const SMALL = 25;

describe('dead-letter API on RabbitMQ: pages, previews, and one letter whole (5 MB)', () => {
  const prefix = uniquePrefix();
  let scratch: ScratchDatabase;
  let running: RunningTopology;
  let admin: Record<string, string>;

  beforeAll(async () => {
    scratch = await createScratchDatabase('commerce_e2e_dlq');
    running = await startTopology('monolith-rmq', scratch.url, { SEED_DEMO_CATALOG: 'false', RMQ_PREFIX: prefix });
    admin = bearer(running.adminToken);
    // Messages nobody handles (no type) go straight to the DLQ: one of 5 MB, then small ones.
    const connection = await connect(TEST_RABBITMQ_URL);
    const channel = await connection.createConfirmChannel();
    const big = JSON.stringify({ note: 'big', filler: 'x'.repeat(BIG) });
    channel.sendToQueue(`${prefix}.monolith.events`, Buffer.from(big), { messageId: 'big-letter', persistent: true });
    for (let i = 0; i < SMALL; i++)
      channel.sendToQueue(`${prefix}.monolith.events`, Buffer.from(`{"small":${i}}`), { messageId: `small-${i}`, persistent: true });
    await channel.waitForConfirms();
    await connection.close();
  }, 180_000);

  afterAll(async () => {
    await running?.close();
    await deleteTopology(prefix, ['monolith'], [1000, 5000, 25000]);
    await scratch?.drop();
  });

  it('lists a small page with sizes and previews, pages on, and returns the 5 MB letter whole by id', async () => {
    const base = running.baseUrl;
    await waitUntil(
      'every letter parked',
      async () => (await call(base, 'GET', '/api/admin/dead-letters/monolith', undefined, admin)).body.total === SMALL + 1,
      60_000,
    );
    const response = await fetch(`${base}/api/admin/dead-letters/monolith`, { headers: admin });
    const text = await response.text();
    expect(response.status).toBe(200);
    expect(Buffer.byteLength(text)).toBeLessThan(64 * 1024);
    const page = JSON.parse(text) as {
      items: { id: string; size: number; preview: string; truncated: boolean; error: string }[];
      total: number;
      limit: number;
    };
    expect(page).toMatchObject({ total: SMALL + 1, limit: 20, offset: 0 });
    expect(page.items).toHaveLength(20);
    const [big] = page.items;
    expect(big).toMatchObject({ id: 'big-letter', truncated: true, error: expect.stringContaining('no handler') });
    expect(big.size).toBeGreaterThan(BIG);
    expect(big.preview.length).toBeLessThanOrEqual(500);
    expect(big.preview.startsWith('{"note":"big"')).toBe(true);
    expect(page.items[1]).toMatchObject({ id: 'small-0', preview: '{"small":0}', truncated: false, size: 11 });

    const rest = await call(base, 'GET', '/api/admin/dead-letters/monolith?offset=20&limit=10', undefined, admin);
    expect(rest.body).toMatchObject({ offset: 20, limit: 10, total: SMALL + 1 });
    expect((rest.body.items as { id: string }[]).map((l) => l.id)).toEqual([19, 20, 21, 22, 23, 24].map((i) => `small-${i}`));

    const whole = await call(base, 'GET', '/api/admin/dead-letters/monolith/big-letter', undefined, admin);
    expect(whole.status).toBe(200);
    expect(whole.body).toMatchObject({ id: 'big-letter', message: { note: 'big' } });
    expect((whole.body.message as { filler: string }).filler).toHaveLength(BIG);
    // Reading never consumes: the letters are all still there, in their order.
    expect((await call(base, 'GET', '/api/admin/dead-letters/monolith?limit=1', undefined, admin)).body).toMatchObject({
      total: SMALL + 1,
      items: [{ id: 'big-letter' }],
    });
  }, 120_000);
});
