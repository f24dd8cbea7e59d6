import { ExportResult, ExportResultCode, hrTimeToMicroseconds } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** A finished span as one JSON line: enough to rebuild a trace's tree in a test or a bench. */
export interface SpanLine {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startUs: number;
  durationUs: number;
  status: number;
  attributes: Record<string, unknown>;
}

/** Appends finished spans to `<dir>/<service>-<pid>.jsonl` (one file per process, so writers never interleave). */
export class JsonLinesSpanExporter implements SpanExporter {
  private readonly file: string;

  constructor(
    dir: string,
    private readonly service: string,
  ) {
    mkdirSync(dir, { recursive: true });
    this.file = join(dir, `${service}-${process.pid}.jsonl`);
  }

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    const lines = spans.map((span) => {
      const line: SpanLine = {
        service: this.service,
        traceId: span.spanContext().traceId,
        spanId: span.spanContext().spanId,
        parentSpanId: span.parentSpanContext?.spanId,
        name: span.name,
        kind: span.kind,
        startUs: hrTimeToMicroseconds(span.startTime),
        durationUs: hrTimeToMicroseconds(span.duration),
        status: span.status.code,
        attributes: span.attributes,
      };
      return `${JSON.stringify(line)}\n`;
    });
    try {
      appendFileSync(this.file, lines.join(''));
      done({ code: ExportResultCode.SUCCESS });
    } catch (error) {
      done({ code: ExportResultCode.FAILED, error: error as Error });
    }
  }

  async shutdown(): Promise<void> {}
}
