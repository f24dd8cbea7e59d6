import { z } from 'zod';

const MAX_HANDLERS = 100;
const MAX_FORWARDED = 32;
const MAX_FORWARDED_TEXT = 1024;

/** The AMQP headers the transport reads, checked like a payload: anyone can publish anything. */
const deliveryHeadersSchema = z.object({
  'x-attempt': z.number().int().min(0).max(1000).optional(),
  'x-handlers': z.array(z.string().min(1).max(200)).max(MAX_HANDLERS).optional(),
});

/** What the transport learns from a delivery's headers, or why they cannot be trusted. */
export type DeliveryHeaders = { ok: true; attempt: number; handlers?: string[] } | { ok: false; reason: string };

/** Reads and validates `x-attempt` and `x-handlers`; anything else in the headers is ignored. */
export function readDeliveryHeaders(headers: unknown): DeliveryHeaders {
  const source = headers && typeof headers === 'object' && !Array.isArray(headers) ? headers : {};
  const parsed = deliveryHeadersSchema.safeParse({
    'x-attempt': (source as Record<string, unknown>)['x-attempt'],
    'x-handlers': (source as Record<string, unknown>)['x-handlers'],
  });
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    return { ok: false, reason: `invalid delivery headers (${issues})`.slice(0, 1000) };
  }
  return { ok: true, attempt: parsed.data['x-attempt'] ?? 0, handlers: parsed.data['x-handlers'] };
}

/**
 * The headers a republished message may carry on: short scalar values only, at most 32, so a
 * hostile table, a huge value or a type the AMQP codec cannot write again never breaks a retry.
 */
export function forwardableHeaders(headers: unknown): Record<string, string | number | boolean> {
  if (!headers || typeof headers !== 'object') return {};
  const kept: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(headers)) {
    if (Object.keys(kept).length >= MAX_FORWARDED || key.length > 128 || key.startsWith('x-')) continue;
    if (typeof value === 'string' && value.length <= MAX_FORWARDED_TEXT) kept[key] = value;
    else if (typeof value === 'boolean' || (typeof value === 'number' && Number.isSafeInteger(value))) kept[key] = value;
  }
  return kept;
}

/** A bounded, always-encodable text rendering of headers, kept when the originals cannot be written again. */
export function describeHeaders(headers: unknown): string {
  try {
    const text = JSON.stringify(headers ?? {}, (_key, value: unknown) =>
      typeof value === 'bigint' ? value.toString() : typeof value === 'string' && value.length > 200 ? `${value.slice(0, 200)}…(${value.length} chars)` : value,
    );
    return (text ?? '{}').slice(0, 4096);
  } catch {
    return '(headers could not be rendered)';
  }
}
