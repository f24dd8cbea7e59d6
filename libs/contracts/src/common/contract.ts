import { z } from 'zod';

/** The three kinds of message: events fan out, commands and queries have one owner and a reply. */
export type MessageKind = 'event' | 'command' | 'query';

const TYPE_PATTERN = /^[a-z][a-z0-9]*\.[a-z][a-z0-9-]*\.v[1-9][0-9]*$/;

/** A message type (`<context>.<name>.v<version>`) with runtime schemas for its payload and reply. */
export interface MessageContract<K extends MessageKind = MessageKind, P = unknown, R = unknown> {
  readonly kind: K;
  readonly type: string;
  readonly schema: z.ZodType<P>;
  readonly resultSchema: z.ZodType<R>;
}

/** Payload type of a contract. */
export type PayloadOf<C> = C extends MessageContract<MessageKind, infer P, unknown> ? P : never;
/** Reply type of a contract. */
export type ResultOf<C> = C extends MessageContract<MessageKind, unknown, infer R> ? R : never;

function define<K extends MessageKind, P, R>(kind: K, type: string, schema: z.ZodType<P>, resultSchema: z.ZodType<R>) {
  if (!TYPE_PATTERN.test(type)) throw new Error(`Message type "${type}" must look like <context>.<name>.v<version>`);
  return Object.freeze({ kind, type, schema, resultSchema }) as MessageContract<K, P, R>;
}

/** Something that happened; delivered to every subscriber. */
export function defineEvent<P>(type: string, schema: z.ZodType<P>): MessageContract<'event', P, void> {
  return define('event', type, schema, z.void());
}

/** A request to change state, handled by exactly one owner. */
export function defineCommand<P, R>(type: string, schema: z.ZodType<P>, resultSchema: z.ZodType<R>): MessageContract<'command', P, R> {
  return define('command', type, schema, resultSchema);
}

/** A question answered by exactly one owner, with no side effects. */
export function defineQuery<P, R>(type: string, schema: z.ZodType<P>, resultSchema: z.ZodType<R>): MessageContract<'query', P, R> {
  return define('query', type, schema, resultSchema);
}

/** Whether a value is a message contract, for registries built from the contracts' exports. */
export function isMessageContract(value: unknown): value is MessageContract {
  return typeof value === 'object' && value !== null && 'kind' in value && 'type' in value && 'schema' in value && 'resultSchema' in value;
}
