/** The part of an OpenAPI 3 document the HTTP compatibility gate reads. */
export type OpenApi = {
  paths: Record<string, Record<string, unknown>>;
  components?: { schemas?: Record<string, Schema> };
  [key: string]: unknown;
};
type Schema = {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  allOf?: Schema[];
  [keyword: string]: unknown;
};
type Parameter = { in: string; name: string; required?: boolean; schema?: Schema };
type Operation = {
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: Schema }> };
  responses?: Record<string, { content?: Record<string, { schema?: Schema }> }>;
};
type Side = 'request' | 'response';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
/** Bounds that may only widen on the request side (a lower bound may not rise, an upper may not fall). */
const LOWER = ['minLength', 'minimum', 'exclusiveMinimum', 'minItems'];
const UPPER = ['maxLength', 'maximum', 'exclusiveMaximum', 'maxItems'];

/** A copy of the document with keys sorted at every level and `servers` dropped: the committed form. */
export function releasedForm(document: object): OpenApi {
  const sort = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(sort)
      : value && typeof value === 'object'
        ? Object.fromEntries(
            Object.keys(value)
              .sort()
              .map((k) => [k, sort((value as Record<string, unknown>)[k])]),
          )
        : value;
  const { servers: _servers, ...rest } = document as OpenApi;
  return sort(rest) as OpenApi;
}

/**
 * The changes from `released` to `current` that break a client written against `released`: a
 * removed path or operation, a removed or newly required parameter or request field, a request
 * type, value set or bound narrowed, a removed response status or media type, a documented
 * response field removed or made optional, a response type changed. One line per break, naming it.
 * Additions (operations, optional parameters and fields, statuses, values) are not breaks.
 */
export function breakingHttpChanges(released: OpenApi, current: OpenApi): string[] {
  const out: string[] = [];
  for (const [path, item] of Object.entries(released.paths)) {
    for (const method of METHODS.filter((m) => item[m])) {
      const at = `${method.toUpperCase()} ${path}`;
      const now = current.paths[path]?.[method] as Operation | undefined;
      if (!now) {
        out.push(`${at}: operation removed`);
        continue;
      }
      out.push(...operationBreaks(at, item[method] as Operation, now, released, current));
    }
  }
  return out;
}

function operationBreaks(at: string, old: Operation, now: Operation, released: OpenApi, current: OpenApi): string[] {
  const out: string[] = [];
  const key = (p: Parameter) => `${p.in} parameter ${p.name}`;
  const nowParams = new Map((now.parameters ?? []).map((p) => [key(p), p]));
  const oldParams = new Map((old.parameters ?? []).map((p) => [key(p), p]));
  for (const [name, p] of oldParams) {
    const n = nowParams.get(name);
    if (!n) out.push(`${at}: ${name} removed`);
    else {
      if (n.required && !p.required) out.push(`${at}: ${name} became required`);
      out.push(...schemaBreaks('request', p.schema, n.schema, released, current, `${at}: ${name}`));
    }
  }
  for (const [name, n] of nowParams) if (!oldParams.has(name) && n.required) out.push(`${at}: new required ${name}`);

  if (old.requestBody) {
    if (!now.requestBody) out.push(`${at}: request body removed`);
    else {
      if (now.requestBody.required && !old.requestBody.required) out.push(`${at}: request body became required`);
      for (const [media, body] of Object.entries(old.requestBody.content ?? {})) {
        const n = now.requestBody.content?.[media];
        if (!n) out.push(`${at}: request ${media} no longer accepted`);
        else out.push(...schemaBreaks('request', body.schema, n.schema, released, current, `${at}: request body`));
      }
    }
  } else if (now.requestBody?.required) out.push(`${at}: new required request body`);

  for (const [status, response] of Object.entries(old.responses ?? {})) {
    const n = now.responses?.[status];
    if (!n) {
      out.push(`${at}: response ${status} removed`);
      continue;
    }
    for (const [media, body] of Object.entries(response.content ?? {})) {
      const m = n.content?.[media];
      if (!m) out.push(`${at}: response ${status} ${media} removed`);
      else out.push(...schemaBreaks('response', body.schema, m.schema, released, current, `${at}: response ${status}`));
    }
  }
  return out;
}

/** Resolves `$ref` and merges `allOf` parts, so that both sides are compared by shape, not by name. */
function resolve(schema: Schema | undefined, document: OpenApi, seen: Set<string>): Schema | undefined {
  if (!schema) return undefined;
  if (schema.$ref) {
    if (seen.has(schema.$ref)) return undefined;
    seen.add(schema.$ref);
    return resolve(document.components?.schemas?.[schema.$ref.replace('#/components/schemas/', '')], document, seen);
  }
  if (!schema.allOf) return schema;
  const { allOf, ...own } = schema;
  return allOf
    .map((part) => resolve(part, document, seen) ?? {})
    .reduce<Schema>(
      (merged, part) => ({
        ...part,
        ...merged,
        properties: { ...part.properties, ...merged.properties },
        required: [...(merged.required ?? []), ...(part.required ?? [])],
      }),
      own,
    );
}

function schemaBreaks(
  side: Side,
  oldRaw: Schema | undefined,
  nowRaw: Schema | undefined,
  released: OpenApi,
  current: OpenApi,
  where: string,
  field = '',
  depth = 0,
): string[] {
  const old = resolve(oldRaw, released, new Set());
  const now = resolve(nowRaw, current, new Set());
  if (!old || !now || depth > 12) return [];
  const at = field ? `${where} field ${field}` : where;
  const types = (s: Schema) => [s.type ?? []].flat().sort().join('|');
  if (types(old) !== types(now)) {
    const widened = side === 'request' && now.type !== undefined && [old.type ?? []].flat().every((t) => [now.type].flat().includes(t));
    if (!widened) return [`${at}: type changed from ${types(old) || 'any'} to ${types(now) || 'any'}`];
  }
  const out: string[] = [];
  if (side === 'request') {
    if (old.enum && now.enum) {
      const gone = old.enum.filter((v) => !now.enum?.includes(v));
      if (gone.length) out.push(`${at}: no longer accepts ${JSON.stringify(gone)}`);
    } else if (now.enum) out.push(`${at}: values narrowed to ${JSON.stringify(now.enum)}`);
    for (const k of LOWER) if (typeof now[k] === 'number' && !((old[k] as number) >= (now[k] as number))) out.push(`${at}: ${k} narrowed to ${now[k]}`);
    for (const k of UPPER) if (typeof now[k] === 'number' && !((old[k] as number) <= (now[k] as number))) out.push(`${at}: ${k} narrowed to ${now[k]}`);
  }
  if (old.items) out.push(...schemaBreaks(side, old.items, now.items, released, current, where, `${field}[]`, depth + 1));
  const wasRequired = new Set(old.required ?? []);
  const isRequired = new Set(now.required ?? []);
  const fieldAt = (name: string) => (field ? `${field}.${name}` : name);
  for (const [name, schema] of Object.entries(old.properties ?? {})) {
    const n = now.properties?.[name];
    const named = `${where} field ${fieldAt(name)}`;
    if (!n) out.push(`${named}: removed`);
    else {
      if (side === 'request' && isRequired.has(name) && !wasRequired.has(name)) out.push(`${named}: became required`);
      if (side === 'response' && wasRequired.has(name) && !isRequired.has(name)) out.push(`${named}: became optional`);
      out.push(...schemaBreaks(side, schema, n, released, current, where, fieldAt(name), depth + 1));
    }
  }
  if (side === 'request') {
    for (const name of Object.keys(now.properties ?? {})) {
      if (!old.properties?.[name] && isRequired.has(name)) out.push(`${where} field ${fieldAt(name)}: new required field`);
    }
  }
  return out;
}
