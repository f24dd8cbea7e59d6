import { z } from 'zod';

/** The variables this namespace reads. Tracing is off unless an exporter is configured. */
export const telemetryConfigSchema = z.object({
  /** Standard OpenTelemetry variable: where to send spans over OTLP/HTTP (e.g. http://otel-lgtm:4318). */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  /** Standard OpenTelemetry variable; defaults to `commerce-kit-<app>`. */
  OTEL_SERVICE_NAME: z.string().min(1).max(100).optional(),
  /** Standard OpenTelemetry sampling (read by the SDK): e.g. parentbased_traceidratio with an arg of 0.1. */
  OTEL_TRACES_SAMPLER: z
    .enum(['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'])
    .optional(),
  OTEL_TRACES_SAMPLER_ARG: z
    .string()
    .regex(/^(0(\.\d+)?|1(\.0+)?)$/, 'expected a ratio from 0 to 1')
    .optional(),
  /** Test and bench aid: each process appends its finished spans as JSON lines to a file in this directory. */
  TRACE_FILE_DIR: z.string().min(1).optional(),
});

/** Telemetry settings. */
export type TelemetryConfig = z.infer<typeof telemetryConfigSchema>;

/**
 * Reads the telemetry namespace. It runs before the rest of the app is loaded (so that pg and
 * http can be instrumented), hence zod directly rather than the platform's loader.
 */
export function loadTelemetryConfig(source: Record<string, string | undefined> = process.env): TelemetryConfig {
  const present = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const result = telemetryConfigSchema.safeParse(present);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${String(issue.path[0])}: ${issue.message}`).join('; ');
    process.stderr.write(`Invalid configuration: ${problems}\n`);
    process.exit(1);
  }
  return result.data;
}
