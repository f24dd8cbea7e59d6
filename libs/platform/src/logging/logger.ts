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

/**
 * Creates the JSON logger; every line gets the ambient request and correlation ids, and the trace
 * and span ids when traced. Writes to stdout unless given a destination (tests).
 */
export function createLogger(options: LoggerOptions, destination?: pino.DestinationStream): Logger {
  const pretty = !destination && (options.pretty === 'true' || (options.pretty === 'auto' && options.nodeEnv === 'development' && process.stdout.isTTY));
  const settings: pino.LoggerOptions = {
    name: options.name,
    level: options.level,
    redact: { paths: REDACT, censor: '[redacted]' },
    mixin: ambientIds,
    ...(pretty ? { transport: { target: 'pino-pretty', options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l' } } } : {}),
  };
  return destination ? pino(settings, destination) : pino(settings);
}

/**
 * The logger of the one line per request: the same destination, level and name as `logger`, with
 * neither the redaction pass nor the ambient-id mixin. That line's fields are scalars the HTTP
 * bootstrap picks and passes whole (ids, method, URL, status, duration), never headers or bodies;
 * redacting and merging it cost more than writing it, on every request.
 */
export function createAccessLogger(logger: Logger): Logger {
  const destination = (logger as unknown as Record<symbol, pino.DestinationStream>)[pino.symbols.streamSym];
  return pino({ name: (logger.bindings() as { name?: string }).name, level: logger.level }, destination);
}

function ambientIds(): object {
  return { ...RequestContext.current(), ...activeTraceIds() };
}
