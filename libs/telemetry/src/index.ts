import { startTelemetry } from './start-telemetry';

// Imported first by every main.ts: instrumentation must be in place before pg and http load.
startTelemetry();

export * from './telemetry.config';
export * from './json-lines-span.exporter';
