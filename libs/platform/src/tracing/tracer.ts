import {
  Attributes,
  Context,
  context,
  INVALID_SPAN_CONTEXT,
  ProxyTracerProvider,
  ROOT_CONTEXT,
  Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';

/** The kit's tracer. Without a registered SDK (tracing off) it is OpenTelemetry's no-op tracer. */
export const tracer = trace.getTracer('commerce-kit');

/** The API's provider while no SDK is registered (a no-op). */
const NO_PROVIDER = new ProxyTracerProvider().getDelegate();
/** What `inSpan` hands its work while tracing is off. */
const NO_SPAN = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/**
 * Whether an SDK is registered. Without one every span is a no-op, so hot paths skip building
 * spans, their attributes and their contexts altogether (a no-op span still costs allocations
 * and promises per call).
 */
export function isTracing(): boolean {
  const provider = trace.getTracerProvider();
  return !(provider instanceof ProxyTracerProvider) || provider.getDelegate() !== NO_PROVIDER;
}

/** What a span started by `inSpan` is. */
export interface SpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
  /** Parent context; the active one when omitted. */
  parent?: Context;
}

/** Runs `work` in a new active span that records a thrown error and always ends. */
export function inSpan<T>(name: string, options: SpanOptions, work: (span: Span) => Promise<T>): Promise<T> {
  if (!isTracing()) return untraced(work);
  return tracer.startActiveSpan(
    name,
    { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes },
    options.parent ?? context.active(),
    async (span) => {
      try {
        return await work(span);
      } catch (error) {
        span.recordException(error instanceof Error ? error : String(error));
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as { code?: string })?.code ?? (error as Error)?.message });
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

/** Runs `work` with the no-op span; a synchronous throw becomes a rejection, as in a traced run. */
export function untraced<T>(work: (span: Span) => Promise<T>): Promise<T> {
  try {
    return work(NO_SPAN);
  } catch (error) {
    return Promise.reject(error as Error);
  }
}

/** Runs `work` outside any trace: background loops must not hang their work under whichever request woke them. */
export function outsideAnyTrace<T>(work: () => T): T {
  return context.with(ROOT_CONTEXT, work);
}

/** Trace and span id of the active span, for log lines (empty when none is recording). */
export function activeTraceIds(): { trace_id?: string; span_id?: string } {
  const span = trace.getActiveSpan();
  if (!span) return {};
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}

/** The id of the trace being recorded now, if any (to keep with a record an operator may want to trace later). */
export function recordingTraceId(): string | undefined {
  const span = trace.getActiveSpan();
  return span?.isRecording() ? span.spanContext().traceId : undefined;
}
