import { envelopeSchema, type MessageContract } from '@commerce/contracts';
import { z } from 'zod';
import { RmqTopology } from '../transport/rmq-topology';

type Schema = Record<string, unknown>;
const schemaOf = (schema: z.ZodType, io: 'input' | 'output'): Schema => {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, target: 'draft-7', unrepresentable: 'any' }) as Schema;
  return rest;
};
const amqp = (exchange: string, type: 'topic' | 'direct') => ({
  amqp: { is: 'routingKey', exchange: { name: exchange, type, durable: true, autoDelete: false, vhost: '/' }, bindingVersion: '0.3.0' },
});

/**
 * An AsyncAPI 3 document of the kit's messages, from the contracts themselves: a channel per
 * message type on the events (topic) or requests (direct) exchange, routed by the type; messages
 * as the envelope around the contract's payload schema; commands and queries with their replies
 * (over direct reply-to). Events are sent by the context that owns them; requests received by it.
 */
export function asyncApiDocument(contracts: readonly MessageContract[], options: { prefix: string; version: string }): Schema {
  const envelope = schemaOf(envelopeSchema, 'input') as { properties: Schema; required: string[] };
  const channels: Schema = {};
  const operations: Schema = {};
  const messages: Schema = {};
  for (const c of [...contracts].sort((a, b) => a.type.localeCompare(b.type))) {
    const owner = new RmqTopology(options.prefix, c.type.split('.')[0]);
    const exchange = c.kind === 'event' ? owner.eventsExchange : owner.requestsExchange;
    messages[c.type] = {
      name: c.type,
      title: `${c.kind} ${c.type}`,
      contentType: 'application/json',
      payload: { ...envelope, properties: { ...envelope.properties, type: { const: c.type }, kind: { const: c.kind }, payload: schemaOf(c.schema, 'input') } },
    };
    channels[c.type] = {
      address: c.type,
      description: `Routing key ${c.type} on the ${exchange} exchange${c.kind === 'event' ? '' : `, to the queue ${owner.requestsQueue(c.kind)}`}`,
      messages: { [c.type]: { $ref: `#/components/messages/${c.type}` } },
      bindings: amqp(exchange, c.kind === 'event' ? 'topic' : 'direct'),
    };
    const operation: Schema = {
      action: c.kind === 'event' ? 'send' : 'receive',
      channel: { $ref: `#/channels/${c.type}` },
      messages: [{ $ref: `#/channels/${c.type}/messages/${c.type}` }],
    };
    if (c.kind !== 'event') {
      const reply = `${c.type}.reply`;
      messages[reply] = { name: reply, contentType: 'application/json', payload: replyOf(schemaOf(c.resultSchema, 'output')) };
      channels[reply] = { address: null, description: 'Direct reply-to of the caller', messages: { [reply]: { $ref: `#/components/messages/${reply}` } } };
      operation.reply = { channel: { $ref: `#/channels/${reply}` }, messages: [{ $ref: `#/channels/${reply}/messages/${reply}` }] };
    }
    operations[`${c.type}.${c.kind === 'event' ? 'publish' : 'handle'}`] = operation;
  }
  return {
    asyncapi: '3.1.0',
    info: { title: 'commerce-kit messages', version: options.version, description: 'Every message between the contexts, generated from libs/contracts.' },
    defaultContentType: 'application/json',
    channels,
    operations,
    components: { messages },
  };
}

function replyOf(result: Schema): Schema {
  const error = {
    type: 'object',
    properties: { code: { type: 'string' }, kind: { type: 'string' }, message: { type: 'string' }, details: {} },
    required: ['code', 'kind', 'message'],
  };
  return {
    oneOf: [
      { type: 'object', properties: { ok: { const: true }, result }, required: ['ok', 'result'] },
      { type: 'object', properties: { ok: { const: false }, error }, required: ['ok', 'error'] },
    ],
  };
}
