import { trace } from '@opentelemetry/api';
import { captureTraceContext, restoreTraceContext, TraceCarrier } from '@commerce/platform';
import { inProducerSpan } from '../bus/message-spans';

/**
 * Ships one outbox row in the trace that wrote it: the row's envelope holds the writer's context
 * (captured when the row was written), so the PRODUCER span is its child, and the envelope is sent
 * with the PRODUCER span's context instead, so the consumer's span is the PRODUCER's child.
 * Rows written while tracing was off carry no context and are sent as they are.
 */
export function shipInTrace(system: string, type: string, raw: string, publish: (raw: string) => Promise<void>): Promise<void> {
  const written = carrierOf(raw);
  if (!written?.traceparent) return publish(raw);
  return inProducerSpan(system, type, () => publish(trace.getActiveSpan()?.isRecording() ? withContext(raw) : raw), restoreTraceContext(written));
}

function carrierOf(raw: string): TraceCarrier | undefined {
  // Cheap test first: most rows carry no trace when tracing is off.
  if (!raw.includes('"traceparent"')) return undefined;
  try {
    return JSON.parse(raw) as TraceCarrier;
  } catch {
    return undefined;
  }
}

function withContext(raw: string): string {
  const { traceparent: _p, tracestate: _s, ...envelope } = JSON.parse(raw) as Record<string, unknown>;
  return JSON.stringify({ ...envelope, ...captureTraceContext() });
}
