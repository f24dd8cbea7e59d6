/** A JSON Schema as z.toJSONSchema writes it (the subset compared here). */
export type JsonSchema = {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  [keyword: string]: unknown;
};

/**
 * The changes from `released` to `current` that break a reader of one version fed by a writer of
 * the other, as happens while two versions of a service share a queue: a field removed or made
 * optional that readers required, a new required field, a changed type, a changed set of values.
 * A new optional field is not a break. Returns one line per break, naming the field.
 */
export function breakingChanges(released: JsonSchema, current: JsonSchema, path = ''): string[] {
  const at = path || '(root)';
  if (JSON.stringify(released.type) !== JSON.stringify(current.type)) return [`${at}: type changed from ${released.type} to ${current.type}`];
  if (JSON.stringify(released.enum) !== JSON.stringify(current.enum) || JSON.stringify(released.const) !== JSON.stringify(current.const))
    return [`${at}: allowed values changed from ${JSON.stringify(released.enum ?? released.const)} to ${JSON.stringify(current.enum ?? current.const)}`];
  for (const union of ['anyOf', 'oneOf'] as const) {
    if (JSON.stringify(released[union]) !== JSON.stringify(current[union])) return [`${at}: ${union} changed`];
  }
  const out: string[] = [];
  if (released.items && current.items) out.push(...breakingChanges(released.items, current.items, `${path}[]`));
  const wasRequired = new Set(released.required ?? []);
  const isRequired = new Set(current.required ?? []);
  for (const [name, schema] of Object.entries(released.properties ?? {})) {
    const field = path ? `${path}.${name}` : name;
    const now = current.properties?.[name];
    if (!now) {
      if (wasRequired.has(name)) out.push(`${field}: required field removed`);
      continue;
    }
    if (wasRequired.has(name) !== isRequired.has(name)) out.push(`${field}: ${isRequired.has(name) ? 'became required' : 'became optional'}`);
    out.push(...breakingChanges(schema, now, field));
  }
  for (const name of Object.keys(current.properties ?? {})) {
    if (!released.properties?.[name] && isRequired.has(name)) out.push(`${path ? `${path}.${name}` : name}: new required field`);
  }
  return out;
}
