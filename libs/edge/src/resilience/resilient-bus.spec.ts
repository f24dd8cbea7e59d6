import { defineCommand, defineQuery, DomainError } from '@commerce/contracts';
import type { MessageBus } from '@commerce/messaging';
import { z } from 'zod';
import { loadEdgeConfig } from '../edge.config';
import { ResilientBus } from './resilient-bus';

const Read = defineQuery('shop.read.v1', z.object({}), z.object({ n: z.number() }));
const Write = defineCommand('shop.write.v1', z.object({}), z.object({ n: z.number() }));

function fakeBus(behaviour: () => Promise<unknown>) {
  const calls: string[] = [];
  const bus = {
    request: (c: { type: string }) => (calls.push(c.type), behaviour()),
    send: (c: { type: string }) => (calls.push(c.type), behaviour()),
  } as unknown as MessageBus;
  return { bus, calls };
}

const config = (overrides: Record<string, string> = {}) =>
  loadEdgeConfig({ NODE_ENV: 'test', EDGE_QUERY_RETRIES: '2', EDGE_BREAKER_THRESHOLD: '3', EDGE_BREAKER_HALF_OPEN_MS: '60000', ...overrides });
const unavailable = () => Promise.reject(new DomainError('MESSAGING.TIMEOUT', 'timeout', 'slow'));

describe('ResilientBus', () => {
  it('retries a query that failed transiently, but never a command', async () => {
    let n = 0;
    const { bus, calls } = fakeBus(() => (++n < 2 ? unavailable() : Promise.resolve({ n })));
    const resilient = new ResilientBus(bus, config());
    await expect(resilient.request(Read, {})).resolves.toEqual({ n: 2 });
    expect(calls).toHaveLength(2);
    n = 0;
    await expect(resilient.send(Write, {})).rejects.toMatchObject({ code: 'MESSAGING.TIMEOUT' });
    expect(calls).toHaveLength(3);
  });

  it('does not retry a domain answer such as not-found', async () => {
    const { bus, calls } = fakeBus(() => Promise.reject(new DomainError('SHOP.NOT_FOUND', 'not-found', 'no')));
    await expect(new ResilientBus(bus, config()).request(Read, {})).rejects.toMatchObject({ code: 'SHOP.NOT_FOUND' });
    expect(calls).toHaveLength(1);
  });

  it('opens the circuit after consecutive failures and then fails fast with 503 and a retry hint', async () => {
    const { bus, calls } = fakeBus(unavailable);
    const resilient = new ResilientBus(bus, config({ EDGE_QUERY_RETRIES: '0' }));
    for (let i = 0; i < 3; i++) await expect(resilient.request(Read, {})).rejects.toMatchObject({ code: 'MESSAGING.TIMEOUT' });
    await expect(resilient.request(Read, {})).rejects.toMatchObject({ code: 'EDGE.CIRCUIT_OPEN', kind: 'unavailable', details: { retryAfterSeconds: 60 } });
    expect(calls).toHaveLength(3);
    expect(resilient.states()).toEqual({ shop: 'open' });
  });

  it('rejects calls beyond the bulkhead and its queue', async () => {
    let release: () => void = () => undefined;
    const { bus } = fakeBus(() => new Promise((resolve) => (release = () => resolve({ n: 1 }))));
    const resilient = new ResilientBus(bus, config({ EDGE_BULKHEAD_LIMIT: '1', EDGE_BULKHEAD_QUEUE: '0' }));
    const first = resilient.request(Read, {});
    await expect(resilient.request(Read, {})).rejects.toMatchObject({ code: 'EDGE.OVERLOADED', kind: 'unavailable' });
    release();
    await expect(first).resolves.toEqual({ n: 1 });
  });
});
