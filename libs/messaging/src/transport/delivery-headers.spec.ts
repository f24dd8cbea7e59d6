import { describeHeaders, forwardableHeaders, readDeliveryHeaders } from './delivery-headers';

describe('delivery headers', () => {
  it('reads a valid attempt count and handler list, and defaults a missing attempt to 0', () => {
    expect(readDeliveryHeaders({ 'x-attempt': 2, 'x-handlers': ['A.b'] })).toEqual({ ok: true, attempt: 2, handlers: ['A.b'] });
    expect(readDeliveryHeaders(undefined)).toEqual({ ok: true, attempt: 0, handlers: undefined });
  });

  it.each([
    ['a string attempt', { 'x-attempt': 'abc' }, 'x-attempt'],
    ['a negative attempt', { 'x-attempt': -1 }, 'x-attempt'],
    ['a fractional attempt', { 'x-attempt': 1.5 }, 'x-attempt'],
    ['a table as attempt', { 'x-attempt': { '!': 'bang' } }, 'x-attempt'],
    ['handlers as a string', { 'x-handlers': 'A.b' }, 'x-handlers'],
    ['handlers of numbers', { 'x-handlers': [1] }, 'x-handlers'],
    ['too many handlers', { 'x-handlers': Array.from({ length: 101 }, () => 'A.b') }, 'x-handlers'],
  ])('refuses %s with a reason naming the header', (_name, headers, header) => {
    const read = readDeliveryHeaders(headers);
    expect(read.ok).toBe(false);
    expect(!read.ok && read.reason).toContain(header);
  });

  it('forwards only short scalar headers that are not ours, so a republish can always be encoded', () => {
    const forwarded = forwardableHeaders({
      trace: 'abc',
      n: 3,
      ok: true,
      big: 'x'.repeat(2000),
      table: { '!': 'bang' },
      list: [1],
      'x-attempt': 9,
      float: 1.5,
    });
    expect(forwarded).toEqual({ trace: 'abc', n: 3, ok: true });
  });

  it('describes any headers in bounded text', () => {
    const text = describeHeaders({ big: 'y'.repeat(100_000), n: BigInt(5), nested: { a: [1, { b: 2 }] } });
    expect(text.length).toBeLessThanOrEqual(4096);
    expect(text).toContain('"n":"5"');
  });
});
