import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { existsSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { JsonLinesSpanExporter } from './json-lines-span.exporter';
import { loadTelemetryConfig } from './telemetry.config';

/** Probes and scrapes would be most of the traces and say nothing. */
const UNTRACED_PATHS = /^\/(health|metrics)(\/|\?|$)/;

/**
 * Starts OpenTelemetry tracing when an exporter is configured (OTLP endpoint or a span file
 * directory); otherwise registers nothing, and the API's no-op tracer costs next to nothing.
 * Must run before pg and http are loaded. HTTP server spans come from the http instrumentation
 * (named by route in the platform's Fastify hook), SQL spans from pg (only under a parent span, so
 * the outbox sweep and health checks do not each start a trace), message spans from our bus.
 */
export function startTelemetry(): NodeTracerProvider | undefined {
  // Runs before the platform reads .env, so read it here too (variables already set win, as there).
  if (existsSync('.env')) process.loadEnvFile('.env');
  const config = loadTelemetryConfig();
  if (!config.OTEL_EXPORTER_OTLP_ENDPOINT && !config.TRACE_FILE_DIR) return undefined;
  const app = basename(dirname(process.argv[1] ?? 'commerce-kit'));
  const service = config.OTEL_SERVICE_NAME ?? `commerce-kit-${app}`;
  const processors: SpanProcessor[] = [];
  if (config.OTEL_EXPORTER_OTLP_ENDPOINT) processors.push(new BatchSpanProcessor(new OTLPTraceExporter()));
  if (config.TRACE_FILE_DIR) processors.push(new BatchSpanProcessor(new JsonLinesSpanExporter(config.TRACE_FILE_DIR, app), { scheduledDelayMillis: 200 }));
  const provider = new NodeTracerProvider({ resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: service }), spanProcessors: processors });
  provider.register();
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request) => UNTRACED_PATHS.test(request.url ?? ''),
        // Outgoing HTTP is only the OTLP exporter itself: tracing it would trace the tracing.
        ignoreOutgoingRequestHook: () => true,
      }),
      // Pool checkouts are not worth a span each: the query spans show the time.
      new PgInstrumentation({ requireParentSpan: true, ignoreConnectSpans: true }),
    ],
  });
  const flush = () => void provider.shutdown().catch(() => undefined);
  process.once('beforeExit', flush);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.prependListener(signal, () => void provider.forceFlush().catch(() => undefined));
  return provider;
}
