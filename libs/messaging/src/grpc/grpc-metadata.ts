import type { Envelope, MessageContract } from '@commerce/contracts';
import type { Metadata } from '@grpc/grpc-js';

/** Envelope fields and the metadata keys that carry them beside a gRPC request (the payload is the request). */
const KEYS = {
  id: 'message-id',
  correlationId: 'correlation-id',
  causationId: 'causation-id',
  timestamp: 'message-timestamp',
  traceparent: 'traceparent',
  tracestate: 'tracestate',
} as const;

/** The envelope of an outgoing request, less its payload, as gRPC metadata entries. */
export function metadataEntries(envelope: Envelope): [key: string, value: string][] {
  return Object.entries(KEYS).flatMap(([field, key]) => {
    const value = envelope[field as keyof typeof KEYS];
    return value === undefined ? [] : [[key, value] as [string, string]];
  });
}

/**
 * The envelope of an incoming request, put together from its metadata and payload for the
 * dispatcher, which validates it as it validates every envelope (a missing id fails there).
 */
export function envelopeOf(contract: MessageContract, payload: unknown, metadata: Metadata): Record<string, unknown> {
  const fields = Object.fromEntries(
    Object.entries(KEYS).flatMap(([field, key]) => {
      const [value] = metadata.get(key);
      return typeof value === 'string' ? [[field, value]] : [];
    }),
  );
  return { ...fields, type: contract.type, kind: contract.kind, payload };
}
