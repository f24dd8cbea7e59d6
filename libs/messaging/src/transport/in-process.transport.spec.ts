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
