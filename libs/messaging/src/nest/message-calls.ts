import { ClientProxy } from '@nestjs/microservices';
import type { MessageContract, PayloadOf, ResultOf } from '@commerce/contracts';
import { lastValueFrom } from 'rxjs';
import type { SendOptions } from '../bus/message-bus';
import { MessagingClient } from './messaging.client';

/** Sends a command or query through a Nest client and resolves to its typed result; rejects with the handler's DomainError. */
export function send<C extends MessageContract<'command' | 'query'>>(
  client: ClientProxy,
  contract: C,
  payload: PayloadOf<C>,
  options?: SendOptions,
): Promise<ResultOf<C>> {
  // Ours answers the same call as a promise (no Observable to build and drop); Nest's own clients know patterns as strings.
  if (client instanceof MessagingClient) return client.request(contract, payload, options);
  return lastValueFrom(client.send<ResultOf<C>>(contract.type, payload), { defaultValue: undefined as ResultOf<C> });
}

/** Publishes an event through a Nest client; resolves once the transport has taken it. */
export async function emit<C extends MessageContract<'event'>>(client: ClientProxy, contract: C, payload: PayloadOf<C>): Promise<void> {
  const pattern = client instanceof MessagingClient ? contract : contract.type;
  await lastValueFrom(client.emit(pattern, payload), { defaultValue: undefined });
}
