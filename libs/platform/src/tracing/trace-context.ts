import { context, Context, propagation, ROOT_CONTEXT } from '@opentelemetry/api';
import { isTracing } from './tracer';

/** W3C trace context as carried in an envelope or in message headers. */
export interface TraceCarrier {
  traceparent?: string;
  tracestate?: string;
}

/** The active trace context as W3C `traceparent` / `tracestate` (nothing when tracing is off). */
export function captureTraceContext(): TraceCarrier {
  if (!isTracing()) return {};
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return {
    ...(carrier.traceparent ? { traceparent: carrier.traceparent } : {}),
    ...(carrier.tracestate ? { tracestate: carrier.tracestate } : {}),
  };
}

/** The context a carrier describes, to parent spans on (the root context when it carries none). */
export function restoreTraceContext(carrier: TraceCarrier): Context {
  if (!carrier.traceparent) return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, { traceparent: carrier.traceparent, ...(carrier.tracestate ? { tracestate: carrier.tracestate } : {}) });
}
