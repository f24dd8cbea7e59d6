import { defineCommand, defineQuery, DomainError } from '@commerce/contracts';
import { MessageBus, MessagingClient } from '@commerce/messaging';
import { z } from 'zod';
import { loadEdgeConfig } from '../edge.config';
import { ResilientBus } from './resilient-bus';

const Read = defineQuery('shop.read.v1', z.object({}), z.object({ n: z.number() }));
const Write = defineCommand('shop.write.v1', z.object({}), z.object({ n: z.number() }));

function fakeBus(behaviour: (timeoutMs: number) => Promise<unknown>) {
  const calls: string[] = [];
  const timeouts: number[] = [];
  const record = (c: { type: string }, _payload: unknown, options: { timeoutMs: number }) => (
    calls.push(c.type),
    timeouts.push(options.timeoutMs),
    behaviour(options.timeoutMs)
  );
  // The edge calls through the Nest client; the bus under it is the stand-in.
  const bus = new MessagingClient({ request: record, send: record } as unknown as MessageBus);
  return { bus, calls, timeouts };
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

  it('gives each attempt what is left of the one deadline, so a timed-out attempt is not retried past it', async () => {
    const { bus, calls, timeouts } = fakeBus(
      (timeoutMs) => new Promise((_, reject) => setTimeout(() => reject(new DomainError('MESSAGING.TIMEOUT', 'timeout', 'no reply')), timeoutMs)),
    );
    const started = performance.now();
    await expect(new ResilientBus(bus, config({ EDGE_QUERY_TIMEOUT_MS: '300' })).request(Read, {})).rejects.toMatchObject({ code: 'MESSAGING.TIMEOUT' });
    expect(calls).toHaveLength(1);
    expect(timeouts[0]).toBeLessThanOrEqual(300);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('retries fast failures within the deadline, each attempt with less of it', async () => {
    let n = 0;
    const { bus, timeouts } = fakeBus(() => (++n < 3 ? unavailable() : Promise.resolve({ n })));
    await expect(new ResilientBus(bus, config({ EDGE_QUERY_TIMEOUT_MS: '3000' })).request(Read, {})).resolves.toEqual({ n: 3 });
    expect(timeouts).toHaveLength(3);
    expect(timeouts[0]).toBeLessThanOrEqual(3000);
    expect(timeouts[1]).toBeLessThan(timeouts[0]);
    expect(timeouts[2]).toBeLessThan(timeouts[1]);
  });

  it('does not retry when the longest backoff would leave too little of the deadline for another attempt', async () => {
    const { bus, calls } = fakeBus(unavailable);
    await expect(new ResilientBus(bus, config({ EDGE_QUERY_TIMEOUT_MS: '550' })).request(Read, {})).rejects.toMatchObject({ code: 'MESSAGING.TIMEOUT' });
    expect(calls).toHaveLength(1);
  });

  it('fails a call whose deadline passed while it queued for the bulkhead, without counting it against the target', async () => {
    let release: () => void = () => undefined;
    const { bus, calls } = fakeBus(() => new Promise((resolve) => (release = () => resolve({ n: 1 }))));
    const resilient = new ResilientBus(
      bus,
      config({ EDGE_QUERY_TIMEOUT_MS: '100', EDGE_BULKHEAD_LIMIT: '1', EDGE_BULKHEAD_QUEUE: '1', EDGE_BREAKER_THRESHOLD: '1' }),
    );
    const first = resilient.request(Read, {});
    const queued = resilient.request(Read, {});
    await new Promise((r) => setTimeout(r, 150));
    release();
    await expect(first).resolves.toEqual({ n: 1 });
    await expect(queued).rejects.toMatchObject({ code: 'EDGE.DEADLINE_SPENT', kind: 'timeout' });
    expect(calls).toHaveLength(1);
    expect(resilient.states()).toEqual({ shop: 'closed' });
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
