import { Attributes, Context, SpanKind } from '@opentelemetry/api';
import type { Envelope } from '@commerce/contracts';
import { inSpan, isTracing, untraced } from '@commerce/platform';

/** Where the bus's spans say the message went (OpenTelemetry messaging semantic conventions). */
function attributes(system: string, operation: 'send' | 'process', type: string, envelope?: Envelope): Attributes {
  return {
    'messaging.system': system === 'rmq' ? 'rabbitmq' : system,
    'messaging.operation.type': operation,
    'messaging.operation.name': operation,
    'messaging.destination.name': type,
    ...(system === 'rmq' ? { 'messaging.rabbitmq.destination.routing_key': type } : {}),
    ...(envelope ? { 'messaging.message.id': envelope.id, 'messaging.message.conversation_id': envelope.correlationId } : {}),
  };
}

/** A PRODUCER span around handing one message to the transport; the envelope built inside it carries its context. */
export function inProducerSpan<T>(system: string, type: string, work: () => Promise<T>, parent?: Context): Promise<T> {
  if (!isTracing()) return untraced(work);
  return inSpan(`send ${type}`, { kind: SpanKind.PRODUCER, attributes: attributes(system, 'send', type), parent }, work);
}

/** A CONSUMER span around one handler run, parented on the context the message carries. */
export function inConsumerSpan<T>(system: string, envelope: Envelope, handler: string, parent: Context, work: () => Promise<T>): Promise<T> {
  if (!isTracing()) return untraced(work);
  const attrs = { ...attributes(system, 'process', envelope.type, envelope), 'messaging.consumer.group.name': handler };
  return inSpan(`process ${envelope.type}`, { kind: SpanKind.CONSUMER, attributes: attrs, parent }, work);
}
