/** One sample of a Prometheus text exposition. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(?:,\s*|$)/y;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

/**
 * Parses the Prometheus text format (version 0.0.4) strictly: every line must be a comment, a
 * HELP/TYPE line or a sample with valid name, labels and value, or this throws naming the line.
 */
export function parsePrometheusText(text: string): Sample[] {
  const samples: Sample[] = [];
  const typed = new Map<string, string>();
  for (const [index, line] of text.split('\n').entries()) {
    const fail = (why: string) => new Error(`line ${index + 1} is not valid Prometheus text (${why}): ${line}`);
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      const [, keyword, name, rest] = /^#\s+(\S+)\s+(\S+)\s*(.*)$/.exec(line) ?? [];
      if (keyword === 'TYPE') {
        if (!METRIC_NAME.test(name) || !TYPES.has(rest)) throw fail('bad TYPE');
        if (typed.has(name)) throw fail('TYPE given twice');
        typed.set(name, rest);
      } else if (keyword === 'HELP' && !METRIC_NAME.test(name)) throw fail('bad HELP');
      continue;
    }
    const match = SAMPLE.exec(line);
    if (!match) throw fail('not a sample');
    const [, name, body = '', raw] = match;
    const labels: Record<string, string> = {};
    LABEL.lastIndex = 0;
    while (LABEL.lastIndex < body.length) {
      const start = LABEL.lastIndex;
      const label = LABEL.exec(body);
      if (!label || label.index !== start) throw fail('bad labels');
      labels[label[1]] = label[2].replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    }
    // Prometheus reads values with Go's ParseFloat: NaN and Inf in any case (prom-client writes
    // "Nan" for an event-loop gauge that has no samples yet in a freshly started process).
    const special = /^nan$/i.test(raw) ? NaN : /^[+-]?inf(inity)?$/i.test(raw) ? (raw.startsWith('-') ? -Infinity : Infinity) : undefined;
    const value = special ?? Number(raw);
    if (Number.isNaN(value) && special === undefined) throw fail('bad value');
    samples.push({ name, labels, value });
  }
  return samples;
}

/** The sum of the samples named `name` whose labels include `match`. */
export function sumOf(samples: Sample[], name: string, match: Record<string, string> = {}): number {
  return samples.filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v)).reduce((total, s) => total + s.value, 0);
}

/** Scrapes and parses one process's /metrics. */
export async function scrape(baseUrl: string): Promise<Sample[]> {
  const response = await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(10_000) });
  if (response.status !== 200) throw new Error(`${baseUrl}/metrics answered ${response.status}`);
  if (!response.headers.get('content-type')?.startsWith('text/plain')) throw new Error(`unexpected content type ${response.headers.get('content-type')}`);
  return parsePrometheusText(await response.text());
}

/** The metric names a process declares (its `# TYPE` lines), including those with no sample yet. */
export async function declaredMetrics(baseUrl: string): Promise<Set<string>> {
  const text = await (await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
  parsePrometheusText(text);
  return new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]));
}
