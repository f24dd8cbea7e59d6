import { z } from 'zod';

/** Metadata wrapped around every message on the wire. */
export const envelopeSchema = z.object({
  id: z.uuid(),
  type: z.string().min(1).max(200),
  kind: z.enum(['event', 'command', 'query']),
  correlationId: z.string().min(1).max(200),
  causationId: z.string().min(1).max(200).optional(),
  timestamp: z.iso.datetime(),
  /** W3C trace context of the span that sent the message (OpenTelemetry). */
  traceparent: z.string().max(200).optional(),
  tracestate: z.string().max(512).optional(),
  payload: z.unknown(),
});

/** A message as it travels: envelope fields plus the (validated) payload. */
export type Envelope<P = unknown> = Omit<z.infer<typeof envelopeSchema>, 'payload'> & { payload: P };

/** An error as it travels (ErrorPayload). */
export const errorPayloadSchema = z.object({
  code: z.string(),
  kind: z.enum(['invalid', 'unauthorized', 'forbidden', 'not-found', 'conflict', 'unavailable', 'timeout', 'internal']),
  message: z.string(),
  details: z.unknown().optional(),
});

/** The reply to a command or query. */
export const replySchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), result: z.unknown() }),
  z.object({ ok: z.literal(false), error: errorPayloadSchema }),
]);

/** A reply as it travels. */
export type Reply = z.infer<typeof replySchema>;
