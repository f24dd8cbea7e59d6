import { summarise } from './dead-letter';

const fields = { id: 'a', type: 't', handlers: [], error: 'e', attempts: 1, deadAt: '' };

describe('summarise', () => {
  it('keeps a short body whole as its preview', () => {
    expect(summarise(fields, '{"n":1}')).toMatchObject({ size: 7, preview: '{"n":1}', truncated: false });
  });

  it('measures a large body in bytes and previews 500 characters of it', () => {
    const body = Buffer.from('é'.repeat(1_000_000));
    const summary = summarise(fields, body);
    expect(summary).toMatchObject({ size: 2_000_000, truncated: true });
    expect(summary.preview).toBe('é'.repeat(500));
  });
});
