import type { DatabaseRegistry } from '@commerce/platform';
import type { DataSource } from 'typeorm';
import { loadMessagingConfig } from '../messaging.config';
import type { Transport } from '../transport/transport';
import { OutboxRelay } from './outbox-relay';

/** An outbox in memory behind the relay's claim statement, counting the claims that found rows. */
function fakeOutbox() {
  const rows: { id: string; type: string; envelope: string; created_at: Date; claimed: boolean; sent: boolean }[] = [];
  const claims: string[][] = [];
  const dataSource = {
    isInitialized: true,
    options: { schema: 'probe' },
    query: async (sql: string, params: unknown[]) => {
      if (!sql.trimStart().startsWith('WITH sent AS')) return [];
      for (const row of rows) if ((params[0] as string[]).includes(row.id)) row.sent = true;
      const next = rows.filter((r) => !r.sent && !r.claimed).slice(0, 200);
      for (const row of next) row.claimed = true;
      if (next.length > 0) claims.push(next.map((r) => r.id));
      return [next.map(({ id, type, envelope, created_at }) => ({ id, type, envelope, created_at })), next.length];
    },
  } as unknown as DataSource;
  const add = (id: string) => rows.push({ id, type: 'probe.tapped.v1', envelope: `{"id":"${id}"}`, created_at: new Date(), claimed: false, sent: false });
  return { dataSource, claims, add };
}

/** A connected transport whose publishes wait while `hold` is set. */
function gatedTransport() {
  const published: string[] = [];
  let release: () => void = () => undefined;
  let gate: Promise<void> | undefined;
  const transport = {
    name: 'fake',
    isConnected: () => true,
    publish: async (_type: string, raw: string) => {
      await gate;
      published.push((JSON.parse(raw) as { id: string }).id);
    },
  } as unknown as Transport;
  return {
    transport,
    published,
    hold: () => (gate = new Promise<void>((resolve) => (release = resolve))),
    release: () => ((gate = undefined), release()),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('OutboxRelay', () => {
  let relay: OutboxRelay | undefined;
  afterEach(async () => {
    await relay?.stop();
    relay = undefined;
  });

  function startRelay(coalesceMs: number) {
    const outbox = fakeOutbox();
    const broker = gatedTransport();
    const registry = { all: () => [{ dataSource: outbox.dataSource }] } as unknown as DatabaseRegistry;
    const config = loadMessagingConfig({ OUTBOX_POLL_MS: '600000', OUTBOX_CLAIM_MS: '600000', OUTBOX_COALESCE_MS: String(coalesceMs) });
    relay = new OutboxRelay(registry, broker.transport, config);
    relay.start();
    return { ...outbox, ...broker, relay };
  }

  it('ships a lone kick at once, without the coalescing wait', async () => {
    const { add, dataSource, published, relay } = startRelay(1000);
    await sleep(20); // the start-up sweep's claim found nothing
    const started = Date.now();
    add('a');
    relay.kick(dataSource);
    while (published.length === 0 && Date.now() - started < 900) await sleep(2);
    expect(published).toEqual(['a']);
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('lets the commits that kick while a batch is being published share one claim after a short wait', async () => {
    const { add, dataSource, published, claims, relay, hold, release } = startRelay(300);
    await sleep(20);
    hold();
    add('first');
    relay.kick(dataSource);
    await sleep(20); // claimed, publishing
    for (const id of ['b', 'c']) {
      add(id);
      relay.kick(dataSource);
    }
    release();
    await sleep(30); // within the wait, after the first batch was published
    for (const id of ['d', 'e']) {
      add(id);
      relay.kick(dataSource);
    }
    await sleep(600);
    expect(published).toEqual(['first', 'b', 'c', 'd', 'e']);
    expect(claims).toEqual([['first'], ['b', 'c', 'd', 'e']]);
  });

  it('claims again at once after a batch when told not to wait (OUTBOX_COALESCE_MS=0)', async () => {
    const { add, dataSource, published, claims, relay, hold, release } = startRelay(0);
    await sleep(20);
    hold();
    add('first');
    relay.kick(dataSource);
    await sleep(20);
    add('b');
    relay.kick(dataSource);
    release();
    await sleep(30);
    add('c');
    relay.kick(dataSource);
    await sleep(50);
    expect(published).toEqual(['first', 'b', 'c']);
    expect(claims).toEqual([['first'], ['b'], ['c']]);
  });
});
