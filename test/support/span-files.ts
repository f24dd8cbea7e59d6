import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SpanLine } from '@commerce/telemetry';

/** OpenTelemetry SpanKind values, as written by the JSON-lines exporter. */
export const KIND = { INTERNAL: 0, SERVER: 1, CLIENT: 2, PRODUCER: 3, CONSUMER: 4 } as const;

/** Every span the processes of a topology have written to `dir` (TRACE_FILE_DIR) so far. */
export function readSpans(dir: string): SpanLine[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .flatMap((f) =>
      readFileSync(join(dir, f), 'utf8')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as SpanLine),
    );
}

/** The spans of one trace, indexed for walking parent links. */
export class TraceTree {
  readonly byId: Map<string, SpanLine>;

  constructor(readonly spans: SpanLine[]) {
    this.byId = new Map(spans.map((s) => [s.spanId, s]));
  }

  find(service: string, name: string, kind?: number): SpanLine[] {
    return this.spans.filter((s) => s.service === service && s.name === name && (kind === undefined || s.kind === kind));
  }

  one(service: string, name: string, kind?: number): SpanLine {
    const found = this.find(service, name, kind);
    if (found.length === 0) throw new Error(`no ${name} span from ${service} in the trace; it has: ${this.describe()}`);
    return found[0];
  }

  parentOf(span: SpanLine): SpanLine | undefined {
    return span.parentSpanId ? this.byId.get(span.parentSpanId) : undefined;
  }

  /** The span's ancestors, nearest first. */
  ancestors(span: SpanLine): SpanLine[] {
    const chain: SpanLine[] = [];
    for (let p = this.parentOf(span); p && chain.length < 1000; p = this.parentOf(p)) chain.push(p);
    return chain;
  }

  /** SQL spans (from the pg instrumentation) under a span. */
  sqlUnder(span: SpanLine): SpanLine[] {
    return this.spans.filter((s) => isSql(s) && this.ancestors(s).includes(span));
  }

  describe(): string {
    return [...new Set(this.spans.map((s) => `${s.service}:${s.name}`))].join(', ');
  }
}

/** Whether a span is a database call from the pg instrumentation. */
export function isSql(span: SpanLine): boolean {
  return span.attributes['db.system'] === 'postgresql' || span.attributes['db.system.name'] === 'postgresql';
}
