import { InProcessTransport } from './in-process.transport';

describe('InProcessTransport dead letters', () => {
  it('pages the dead-letter list with previews and returns one letter whole', async () => {
    const transport = new InProcessTransport('svc', []);
    const failing = {
      handleRequest: async () => '',
      handleEvent: async () => {
        throw new Error('nope');
      },
    };
    await transport.start(failing, { requests: [], events: [{ type: 't.v1', handlerName: 'H.on' }] });
    for (let i = 0; i < 25; i++) await transport.publish('t.v1', JSON.stringify({ id: `id-${i}`, filler: i === 0 ? 'x'.repeat(1_000_000) : '' }));
    await transport.drain();

    const first = await transport.list('svc', { offset: 0, limit: 20 });
    expect(first).toMatchObject({ total: 25, offset: 0, limit: 20 });
    expect(first.items).toHaveLength(20);
    expect(first.items[0]).toMatchObject({ id: 'id-0', truncated: true, error: 'H.on: nope' });
    expect(first.items[0].size).toBeGreaterThan(1_000_000);
    expect(first.items[0].preview).toHaveLength(500);
    expect((await transport.list('svc', { offset: 20, limit: 100 })).items.map((l) => l.id)).toEqual(['id-20', 'id-21', 'id-22', 'id-23', 'id-24']);
    expect(await transport.get('svc', 'id-0')).toMatchObject({ id: 'id-0', message: { filler: 'x'.repeat(1_000_000) } });
    expect(await transport.get('other', 'id-0')).toBeUndefined();
    await transport.close();
  });
});

describe('InProcessTransport requests', () => {
  const handler = (answer: () => Promise<string>) => ({ handleRequest: answer, handleEvent: async () => undefined });

  it('answers with the handler reply, and drain waits for a request still in flight', async () => {
    let release: () => void = () => undefined;
    const transport = new InProcessTransport('svc', []);
    await transport.start(
      handler(() => new Promise((resolve) => (release = () => resolve('{"ok":true,"result":1}')))),
      { requests: [], events: [] },
    );
    const reply = transport.request('q.v1', '{}', 1000);
    await new Promise((r) => setImmediate(r));
    let drained = false;
    const draining = transport.drain().then(() => (drained = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(drained).toBe(false);
    release();
    await expect(reply).resolves.toBe('{"ok":true,"result":1}');
    await draining;
    expect(drained).toBe(true);
    await transport.close();
  });

  it('times out without a reply, still drains the late handler, and passes a rejection on', async () => {
    let release: () => void = () => undefined;
    const transport = new InProcessTransport('svc', []);
    await transport.start(
      handler(() => new Promise((resolve) => (release = () => resolve('late')))),
      { requests: [], events: [] },
    );
    await expect(transport.request('q.v1', '{}', 10)).rejects.toMatchObject({ code: 'MESSAGING.TIMEOUT', kind: 'timeout' });
    const draining = transport.drain();
    release();
    await draining;
    await transport.close();

    const broken = new InProcessTransport('svc', []);
    await broken.start(
      handler(() => Promise.reject(new Error('broken'))),
      { requests: [], events: [] },
    );
    await expect(broken.request('q.v1', '{}', 1000)).rejects.toThrow('broken');
    await broken.drain();
    await broken.close();
  });
});
