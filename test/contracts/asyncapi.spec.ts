import { Parser } from '@asyncapi/parser';
import * as contracts from '@commerce/contracts';
import { asyncApiDocument } from '@commerce/messaging';

const all = contracts.messageContracts();
const document = asyncApiDocument(all, { prefix: 'commerce', version: '1' }) as {
  channels: Record<string, { address: string | null; bindings?: { amqp: { exchange: { name: string } } } }>;
  operations: Record<string, { action: string; reply?: unknown }>;
};

describe('the AsyncAPI document of the message contracts', () => {
  it('covers every message contract @commerce/contracts exports (messageContracts() misses none)', () => {
    const exported = (Object.values(contracts) as unknown[]).filter(contracts.isMessageContract).map((c) => c.type);
    expect(all.map((c) => c.type).sort()).toEqual([...new Set(exported)].sort());
  });

  it('is valid AsyncAPI 3 for the AsyncAPI parser, with no error and no warning', async () => {
    const { diagnostics } = await new Parser().parse(JSON.stringify(document));
    expect(diagnostics.map((d) => `${d.severity} ${d.code} ${d.path.join('.')}: ${d.message}`)).toEqual([]);
  });

  it('has a channel per contract on its exchange, and a reply for every command and query', () => {
    for (const c of all) {
      expect({ type: c.type, exchange: document.channels[c.type]?.bindings?.amqp.exchange.name }).toEqual({
        type: c.type,
        exchange: c.kind === 'event' ? 'commerce.events' : 'commerce.requests',
      });
      const operation = document.operations[`${c.type}.${c.kind === 'event' ? 'publish' : 'handle'}`];
      expect({ type: c.type, action: operation.action, reply: operation.reply !== undefined }).toEqual({
        type: c.type,
        action: c.kind === 'event' ? 'send' : 'receive',
        reply: c.kind !== 'event',
      });
    }
  });
});
