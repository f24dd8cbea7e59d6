import { ClientProxy, ReadPacket, WritePacket } from '@nestjs/microservices';
import { DomainError, isMessageContract, MessageContract, PayloadOf, ResultOf } from '@commerce/contracts';
import { MessageBus, SendOptions } from '../bus/message-bus';
import { MessagingErrorCode } from '../bus/messaging.errors';
import { contractsByType } from './known-contracts';

/** A pattern that also carries the call's deadline (what is left of a caller's budget). */
export interface CallPattern {
  contract: MessageContract;
  timeoutMs?: number;
}

/**
 * The client side of the commerce transporters: Nest's `ClientProxy` (`send`, `emit`, the dispatch
 * hook) over our MessageBus, so a call gets the bus's envelope (correlation, causation, trace
 * context), payload and reply validation, its deadline, the request routes (gRPC for catalog
 * queries) and typed errors: a failed call errors with the DomainError the handler raised.
 * A pattern is a message type, a contract, or a CallPattern.
 */
export class MessagingClient extends ClientProxy {
  private readonly contracts: Map<string, MessageContract>;

  constructor(
    private readonly bus: MessageBus,
    contracts: readonly MessageContract[] = [],
  ) {
    super();
    this.contracts = contractsByType(contracts);
  }

  /** Nothing to open: the transport is started with the app (its server or the messaging module). */
  async connect(): Promise<void> {}

  async close(): Promise<void> {}

  /** The bus the calls go through. */
  unwrap<T>(): T {
    return this.bus as T;
  }

  protected publish(packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    let unsubscribed = false;
    this.call(packet).then(
      (response) => unsubscribed || callback({ response, isDisposed: true }),
      (err: unknown) => unsubscribed || callback({ err }),
    );
    return () => {
      unsubscribed = true;
    };
  }

  protected async dispatchEvent<T = undefined>(packet: ReadPacket): Promise<T> {
    const { contract } = this.resolve(packet.pattern);
    if (contract.kind !== 'event') throw new DomainError(MessagingErrorCode.INVALID_MESSAGE, 'invalid', `${contract.type} is a ${contract.kind}: send it`);
    await this.bus.publish(contract as MessageContract<'event'>, packet.data as never);
    return undefined as T;
  }

  /**
   * The call `send(client, C, payload)` makes: what `client.send(...)` does, as a promise, without
   * the Observable around it (a caller that awaits one reply needs no stream; the edge's read path
   * counts every allocation).
   */
  request<C extends MessageContract<'command' | 'query'>>(contract: C, payload: PayloadOf<C>, options?: SendOptions): Promise<ResultOf<C>> {
    if (contract.kind === 'query') return this.bus.request(contract as MessageContract<'query'>, payload as never, options) as Promise<ResultOf<C>>;
    if (contract.kind === 'command') return this.bus.send(contract as MessageContract<'command'>, payload as never, options) as Promise<ResultOf<C>>;
    return Promise.reject(new DomainError(MessagingErrorCode.INVALID_MESSAGE, 'invalid', `${contract.type} is an event: emit it`));
  }

  private async call(packet: ReadPacket): Promise<unknown> {
    const { contract, timeoutMs } = this.resolve(packet.pattern);
    return this.request(contract as MessageContract<'command' | 'query'>, packet.data as never, timeoutMs === undefined ? undefined : { timeoutMs });
  }

  private resolve(pattern: unknown): CallPattern {
    if (isMessageContract(pattern)) return { contract: pattern };
    if (typeof pattern === 'object' && pattern !== null && isMessageContract((pattern as CallPattern).contract)) return pattern as CallPattern;
    const contract = typeof pattern === 'string' ? this.contracts.get(pattern) : undefined;
    if (!contract) throw new DomainError(MessagingErrorCode.INVALID_MESSAGE, 'invalid', `No message contract has the pattern ${String(pattern)}`);
    return { contract };
  }
}
