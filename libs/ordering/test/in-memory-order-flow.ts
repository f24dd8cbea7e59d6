import { Test } from '@nestjs/testing';
import { CqrsModule } from '@nestjs/cqrs';
import { DomainError, MessageContract } from '@commerce/contracts';
import { MessageBus, MessagingClient, UnitOfWork } from '@commerce/messaging';
import { dataSourceToken } from '@commerce/platform';
import { setTimeout as sleep } from 'node:timers/promises';
import { OrderFlow } from '../src/application/order-flow/order-flow';
import { CompensateOrderHandler, FinalizeOrderHandler, RunOrderStepHandler } from '../src/application/order-flow/order-flow.handlers';
import { OrderFlowSaga } from '../src/application/order-flow/order-flow.saga';
import { OrderEvent, RecordedEvent } from '../src/domain/order-events';
import { Order, Wake } from '../src/domain/order.entity';
import { ConcurrentAppendError } from '../src/domain/ordering.errors';
import { OrderChange, OrderStore } from '../src/infrastructure/order-store.repository';
import { ORDERING_CONFIG, OrderingConfig } from '../src/ordering.config';

/** How a stand-in owner answers one call: a reply, an error, or no answer before the caller's timeout. */
export type Answer = { reply: unknown; delayMs?: number } | { error: DomainError } | 'hang';
type Owner = (payload: Record<string, unknown>, call: number) => Answer;

/** The order event store and its timers in memory: the same contract as OrderStore, without Postgres. */
class MemoryOrderStore {
  readonly streams = new Map<string, RecordedEvent[]>();
  readonly timers = new Map<string, Wake>();
  /** Staging touches no database: the real store's. */
  readonly change = OrderStore.prototype.change;
  readonly stage = OrderStore.prototype.stage;

  constructor(
    private readonly settings: OrderingConfig,
    private readonly emitted: string[],
  ) {}

  /** Writes a staged change if its order's stream is still at the change's base version. */
  async commit(change: OrderChange): Promise<void> {
    const stream = this.streams.get(change.order.id) ?? [];
    if (stream.length !== change.base) throw new ConcurrentAppendError(change.order.id, change.base + 1);
    this.streams.set(change.order.id, [...stream, ...change.events]);
    await this.schedule(undefined, change.order);
    this.emitted.push(...change.outbox.map((m) => m.type));
  }

  async schedule(_manager: unknown, order: Order): Promise<void> {
    const wake = order.wakeAt(new Date(), this.settings);
    if (wake) this.timers.set(order.id, wake);
    else this.timers.delete(order.id);
  }

  async load(orderId: string): Promise<{ order: Order; events: RecordedEvent[] } | undefined> {
    const events = this.streams.get(orderId);
    return events && { order: Order.fromHistory(orderId, events), events: [...events] };
  }

  async append(_manager: unknown, order: Order, events: OrderEvent[]): Promise<void> {
    const stream = this.streams.get(order.id) ?? [];
    if (stream.length !== order.version) throw new ConcurrentAppendError(order.id, order.version + 1);
    for (const event of events) {
      const recorded = { ...event, version: order.version + 1, recordedAt: new Date().toISOString() } as RecordedEvent;
      stream.push(recorded);
      order.apply(recorded);
    }
    this.streams.set(order.id, stream);
  }
}

/**
 * The order flow wired as in the ordering module (the real OrderFlow, saga and command handlers
 * on @nestjs/cqrs), with the event store in memory and the owners stood in by functions on a bus
 * that checks every payload and reply against its contract and honours the caller's timeout.
 * Stands in for the timer table too: `settle` wakes an order whose retry is due.
 */
export class InMemoryOrderFlow {
  readonly calls: { type: string; payload: Record<string, unknown> }[] = [];
  private readonly owners = new Map<string, Owner>();

  private constructor(
    readonly flow: OrderFlow,
    readonly store: MemoryOrderStore,
    /** The integration events the flow wrote to its outbox, by type. */
    readonly emitted: string[],
    private readonly close: () => Promise<void>,
  ) {}

  static async start(config: Partial<OrderingConfig> = {}): Promise<InMemoryOrderFlow> {
    const harness: { current?: InMemoryOrderFlow } = {};
    const emitted: string[] = [];
    const bus = {
      send: (contract: MessageContract, payload: unknown, options?: { timeoutMs?: number }) =>
        harness.current!.send(contract, payload, options?.timeoutMs ?? 1000),
    };
    const uow = {
      transaction: (_ds: unknown, work: (manager: unknown, emit: (c: MessageContract, p: unknown) => Promise<void>) => Promise<unknown>) =>
        work({ query: async () => [] }, async (contract, payload) => {
          contract.schema.parse(payload);
          emitted.push(contract.type);
        }),
      outboxRow: (contract: MessageContract, payload: unknown) => ({
        id: 'row',
        type: contract.type,
        envelope: JSON.stringify(contract.schema.parse(payload)),
      }),
      written: () => undefined,
    };
    const settings: OrderingConfig = {
      ORDER_STEP_TIMEOUT_MS: 2000,
      ORDER_STALL_MS: 60_000,
      ORDER_RECOVERY_INTERVAL_MS: 60_000,
      ORDER_COMPENSATION_ATTEMPTS: 3,
      ORDER_RETRY_BACKOFF_MS: 100,
      ...config,
    };
    const store = new MemoryOrderStore(settings, emitted);
    const module = await Test.createTestingModule({
      imports: [CqrsModule.forRoot()],
      providers: [
        OrderFlow,
        OrderFlowSaga,
        RunOrderStepHandler,
        CompensateOrderHandler,
        FinalizeOrderHandler,
        { provide: dataSourceToken('ordering'), useValue: {} },
        { provide: OrderStore, useValue: store },
        { provide: UnitOfWork, useValue: uow },
        // The flow calls owners through the Nest client, as in production; the bus under it is the stand-in.
        { provide: MessagingClient, useValue: new MessagingClient(bus as unknown as MessageBus) },
        { provide: ORDERING_CONFIG, useValue: settings },
      ],
    }).compile();
    // Compiling installs Nest's default logger again; these tests provoke errors on purpose.
    module.useLogger(false);
    await module.init();
    harness.current = new InMemoryOrderFlow(module.get(OrderFlow), store, emitted, () => module.close());
    return harness.current;
  }

  /** How the owner of `contract` answers from now on; unset owners answer every call with success. */
  answer(contract: MessageContract, owner: Owner): this {
    this.owners.set(contract.type, owner);
    return this;
  }

  /** Places an order (as PlaceOrderHandler records it) and starts its flow. */
  async place(orderId: string, placed: OrderEvent): Promise<void> {
    const order = new Order(orderId);
    await this.store.append(undefined, order, [placed]);
    await this.store.schedule(undefined, order);
    await this.flow.announceNow(orderId);
  }

  /**
   * Waits until the order is final or parked, firing its timer when it is due (OrderFlowTimers'
   * job in production). Fails after `limitMs` with the order's history.
   */
  async settle(orderId: string, limitMs = 10_000): Promise<{ order: Order; events: RecordedEvent[] }> {
    const start = Date.now();
    for (;;) {
      const loaded = (await this.store.load(orderId))!;
      if (loaded.order.terminal) return loaded;
      if (Date.now() - start > limitMs) throw new Error(`order ${orderId} did not settle: ${loaded.events.map((e) => e.type).join(', ')}`);
      await sleep(10);
      // Only a due timer wakes the order: one the flow forgot to announce stays quiet (resumption
      // is ORDER_STALL_MS away) and fails the test.
      const timer = this.store.timers.get(orderId);
      if (timer && timer.at.getTime() <= Date.now()) {
        this.store.timers.set(orderId, { at: new Date(Date.now() + 60_000), reason: 'resume' });
        await this.flow.announceNow(orderId);
      }
    }
  }

  async stop(): Promise<void> {
    await this.close();
  }

  /** The message types sent for an order, in order. */
  sent(orderId: string): string[] {
    return this.calls.filter((c) => c.payload.orderId === orderId).map((c) => c.type);
  }

  private async send(contract: MessageContract, payload: unknown, timeoutMs: number): Promise<unknown> {
    const parsed = contract.schema.parse(payload) as Record<string, unknown>;
    this.calls.push({ type: contract.type, payload: parsed });
    const call = this.calls.filter((c) => c.type === contract.type && c.payload.orderId === parsed.orderId).length;
    const answer = (this.owners.get(contract.type) ?? success(contract))(parsed, call);
    {
      if (answer === 'hang') {
        await sleep(timeoutMs, undefined, { ref: false });
        throw new DomainError('MESSAGING.TIMEOUT', 'timeout', `${contract.type} got no reply within ${timeoutMs} ms`);
      }
      await sleep('delayMs' in answer ? (answer.delayMs ?? 1) : 1, undefined, { ref: false });
      if ('error' in answer) throw answer.error;
      return contract.resultSchema.parse(answer.reply);
    }
  }
}

const SUCCESS: Record<string, string> = {
  'catalog.reserve-stock.v1': 'RESERVED',
  'catalog.release-stock.v1': 'RELEASED',
  'catalog.commit-stock.v1': 'COMMITTED',
  'payments.charge-payment.v1': 'CAPTURED',
  'payments.refund-payment.v1': 'REFUNDED',
  'shipping.create-shipment.v1': 'CREATED',
  'shipping.cancel-shipment.v1': 'CANCELLED',
};

/** An owner that always succeeds. */
function success(contract: MessageContract): Owner {
  return (payload) => ({
    reply: { orderId: payload.orderId, status: SUCCESS[contract.type], ...(contract.type.includes('shipment') ? { trackingNumber: 'T1' } : {}) },
  });
}
