import pino, { Logger } from 'pino';
import { activeTraceIds } from '../tracing/tracer';
import { RequestContext } from './request-context';

/** Options for the process-wide logger. */
export interface LoggerOptions {
  level: string;
  pretty: 'auto' | 'true' | 'false';
  nodeEnv: string;
  name: string;
}

const REDACT = ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.token', '*.secret'];

/** Creates the JSON logger; every line gets the ambient request and correlation ids, and the trace and span ids when traced. */
export function createLogger(options: LoggerOptions): Logger {
  const pretty = options.pretty === 'true' || (options.pretty === 'auto' && options.nodeEnv === 'development' && process.stdout.isTTY);
  return pino({
    name: options.name,
    level: options.level,
    redact: { paths: REDACT, censor: '[redacted]' },
    mixin: () => ({ ...RequestContext.current(), ...activeTraceIds() }),
    ...(pretty ? { transport: { target: 'pino-pretty', options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l' } } } : {}),
  });
}
