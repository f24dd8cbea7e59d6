import { Writable } from 'node:stream';
import { createAccessLogger, createLogger } from './logger';
import { RequestContext } from './request-context';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, stream };
}

const options = { level: 'info', pretty: 'false', nodeEnv: 'test', name: 'shop' } as const;

describe('createLogger', () => {
  it('redacts secrets and adds the ambient ids to every line', () => {
    const { lines, stream } = capture();
    const logger = createLogger(options, stream);
    RequestContext.run({ requestId: 'r-1', correlationId: 'c-1' }, () => logger.info({ user: { password: 'hunter2' } }, 'signed up'));
    expect(lines).toEqual([
      expect.objectContaining({ name: 'shop', requestId: 'r-1', correlationId: 'c-1', user: { password: '[redacted]' }, msg: 'signed up' }),
    ]);
  });
});

describe('createAccessLogger', () => {
  it('writes to the same destination with the same name, what it is given and nothing else', () => {
    const { lines, stream } = capture();
    const access = createAccessLogger(createLogger(options, stream));
    RequestContext.run({ requestId: 'r-2', correlationId: 'c-2' }, () => access.info({ requestId: 'r-2', method: 'GET', status: 200 }, 'request completed'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 30, name: 'shop', requestId: 'r-2', method: 'GET', status: 200, msg: 'request completed' });
    expect(lines[0]).not.toHaveProperty('correlationId');
  });

  it('keeps the level of the logger it comes from', () => {
    const { lines, stream } = capture();
    createAccessLogger(createLogger({ ...options, level: 'warn' }, stream)).info({ status: 200 }, 'request completed');
    expect(lines).toEqual([]);
  });
});
