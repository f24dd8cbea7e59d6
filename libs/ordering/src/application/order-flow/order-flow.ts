import { Inject, Injectable, Logger } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import { DomainError, OrderCancelled, OrderConfirmed, OrderRejected } from '@commerce/contracts';
import { MessagingClient, OutboxRow, send, UnitOfWork } from '@commerce/messaging';
import { Compensation, OrderFlowDefinition as flow, Step, StepReply } from '../../domain/order-flow.definition';
import { OrderEvent, StepFailure } from '../../domain/order-events';
import { Order } from '../../domain/order.entity';
import { ConcurrentAppendError, OrderNotFoundError } from '../../domain/ordering.errors';
import { OrderChange, OrderStore } from '../../infrastructure/order-store.repository';
import { ORDERING_CONFIG, OrderingConfig } from '../../ordering.config';
import { OrderAdvanced } from './order-advanced.event';

/** What this process is doing for an order: the next action is announced when it is done. */
interface Running {
  /** Someone asked for the order while it was busy: look at it again afterwards. */
  again: boolean;
  /** The order as last recorded during the work. */
  recorded?: Order;
}

/** Folded orders kept between steps at most; the oldest is forgotten first (it is loaded again if needed). */
const KEPT_ORDERS = 10_000;

/** The failure a call's error stands for; an error without a kind (a bug) is an error answer. */
function failureOf(step: Step | Compensation, error: unknown): StepFailure {
  const { kind, code } = error instanceof DomainError ? error : { kind: 'internal' as const, code: 'ORDERING.UNEXPECTED' };
  return { step, kind, code, reason: error instanceof Error ? error.message : String(error) };
}

/**
 * Executes the order flow as its definition (`ORDER_STEPS`) says, one action at a time per order.
 * A step first records that it started (the saga's persisted state), then calls the owning
 * context with the step's idempotent command and the rest of its deadline, then records the
 * outcome its reply maps to, or the failure by kind (retried later, timed out or parked). After a
 * crash the order is resumed from its events: the same command is sent again, which the owner
 * answers without a second effect.
 *
 * The folded order is kept in memory between steps: a step reads it from there and its outcome is
 * written as one version-checked statement (`OrderStore.commit`); only a refused write (the stream
 * moved on elsewhere) or a timer's wake-up loads the order from its events again.
 */
@Injectable()
export class OrderFlow {
  private readonly logger = new Logger(OrderFlow.name);
  private readonly running = new Map<string, Running>();
  /** The orders as this process last recorded or read them; a write against a stale one is refused and reloads it. */
  private readonly orders = new Map<string, Order>();

  constructor(
    private readonly store: OrderStore,
    private readonly uow: UnitOfWork,
    private readonly client: MessagingClient,
    private readonly eventBus: EventBus,
    @Inject(ORDERING_CONFIG) private readonly config: OrderingConfig,
  ) {}

  /** Whether this process is working on the order right now. */
  isBusy(orderId: string): boolean {
    return this.running.has(orderId);
  }

  async runStep(orderId: string, step: Step): Promise<void> {
    await this.exclusively(orderId, async () => {
      const found = await this.current(orderId, step);
      if (!found) return;
      const timeout = this.config.ORDER_STEP_TIMEOUT_MS;
      if (found.current?.step === step && found.overdue(new Date(), timeout)) {
        return this.record(orderId, (o) => (o.current?.step === step && o.overdue(new Date(), timeout) ? [{ type: 'StepTimedOut', data: { step } }] : []));
      }
      if (found.current?.step === step && found.waiting(new Date())) return;
      const order =
        found.current?.step === step ? found : await this.record(orderId, (o) => (o.nextAction() === step ? [{ type: 'StepStarted', data: { step } }] : []));
      // The order moved on (a cancellation) between reading it and recording the start: send nothing.
      if (order.current?.step !== step) return;
      const definition = flow.step(step)!;
      const deadline = order.deadline(timeout);
      let reply: StepReply;
      try {
        const timeoutMs = deadline ? Math.max(deadline.getTime() - Date.now(), 50) : timeout;
        reply = definition.reply(await send(this.client, definition.command, definition.payload(order), { timeoutMs }));
      } catch (error) {
        return this.failed(orderId, failureOf(step, error));
      }
      if (reply.outcome === 'retry') return this.failed(orderId, { step, kind: 'retry', code: 'ORDERING.STEP_NOT_DONE', reason: reply.reason });
      if (reply.outcome === 'rejected' && !definition.rejected) {
        return this.failed(orderId, { step, kind: 'invalid', code: 'ORDERING.UNEXPECTED_REJECTION', reason: `${step} cannot be refused: ${reply.reason}` });
      }
      const outcome = (
        reply.outcome === 'succeeded' ? { type: definition.succeeded, data: reply.data ?? {} } : { type: definition.rejected, data: { reason: reply.reason } }
      ) as OrderEvent;
      return this.record(orderId, (o) =>
        o.current?.step === step && o.nextAction() === step ? [outcome] : [{ type: 'LateReplyIgnored', data: { step, outcome: outcome.type } }],
      );
    });
  }

  async compensate(orderId: string, compensation: Compensation): Promise<void> {
    await this.exclusively(orderId, async () => {
      const found = await this.current(orderId, compensation);
      if (!found || (found.current?.step === compensation && found.waiting(new Date()))) return;
      const attempted = await this.record(orderId, (o) => (o.nextAction() === compensation ? [{ type: 'StepStarted', data: { step: compensation } }] : []));
      if (attempted.nextAction() !== compensation) return;
      const { compensation: definition } = flow.compensation(compensation)!;
      try {
        await send(this.client, definition.command, definition.payload(attempted), { timeoutMs: this.config.ORDER_STEP_TIMEOUT_MS });
      } catch (error) {
        return this.failed(orderId, failureOf(compensation, error));
      }
      return this.record(orderId, (o) => (o.nextAction() === compensation ? [{ type: definition.done, data: {} } as OrderEvent] : []));
    });
  }

  async finalize(orderId: string): Promise<void> {
    await this.exclusively(orderId, async () => {
      if (!(await this.current(orderId, 'finalize'))) return;
      return this.record(orderId, (o) => (o.nextAction() === 'finalize' ? [o.finalEvent()] : []));
    });
  }

  /**
   * Appends what `decide` returns, the follow-up it implies and the integration events, in one
   * version-checked write; on a concurrent append the order is loaded again and `decide` asked
   * again. The order's next action is announced once it is free.
   */
  async record(orderId: string, decide: (order: Order) => OrderEvent[]): Promise<Order> {
    for (let attempt = 1; ; attempt++) {
      const order = await this.read(orderId, attempt > 1);
      if (!order) throw new OrderNotFoundError(orderId);
      const events = decide(order);
      if (events.length === 0) return order;
      const change = this.store.change(order);
      this.store.stage(change, events);
      const follow = this.followUp(change.order, events);
      this.store.stage(change, follow);
      change.outbox.push(...this.announce(change.order, [...events, ...follow]));
      try {
        await this.store.commit(change);
      } catch (error) {
        this.orders.delete(orderId);
        if (!(error instanceof ConcurrentAppendError) || attempt >= 5) throw error;
        continue;
      }
      this.keep(change.order);
      const running = this.running.get(orderId);
      if (running) running.recorded = change.order;
      return change.order;
    }
  }

  /** A new order's first events, staged for `OrderStore.place`: its placement and the start of its first step. */
  placement(orderId: string, placed: OrderEvent): OrderChange {
    const change = this.store.change(new Order(orderId));
    this.store.stage(change, [placed]);
    this.store.stage(change, this.followUp(change.order, [placed]));
    return change;
  }

  /** Keeps an order this process recorded elsewhere (a placement), so its first step need not load it. */
  keep(order: Order): void {
    this.orders.delete(order.id);
    if (order.terminal) return;
    this.orders.set(order.id, order);
    if (this.orders.size > KEPT_ORDERS) this.orders.delete(this.orders.keys().next().value!);
  }

  /** Announces an order's next action (after a change made outside a step, like a cancellation, or when a timer is due). */
  async announceNow(orderId: string): Promise<void> {
    const running = this.running.get(orderId);
    if (running) {
      running.again = true;
      return;
    }
    // Called when the order may have changed elsewhere (a timer, a cancellation): read it afresh.
    const order = await this.read(orderId, true);
    if (order && !order.terminal) this.eventBus.publish(new OrderAdvanced(orderId, order.nextAction()));
  }

  /**
   * What the same transaction can record next, saving a round of the saga: the start of the next
   * forward step (its deadline runs from here), or the final event once nothing is left to do.
   * Compensations are not chained: each records its own attempt.
   */
  private followUp(order: Order, recorded: OrderEvent[]): OrderEvent[] {
    const outcome = recorded[recorded.length - 1].type;
    if (outcome === 'StepStarted' || outcome === 'StepFailed' || outcome === 'LateReplyIgnored' || order.terminal) return [];
    const next = order.nextAction();
    if (next === 'finalize') return [order.finalEvent()];
    if (flow.step(next)) return [{ type: 'StepStarted', data: { step: next as Step } }];
    return [];
  }

  private async failed(orderId: string, failure: StepFailure): Promise<void> {
    const order = await this.record(orderId, (o) => o.afterFailure(failure, new Date(), this.config));
    const { step, kind, code, reason } = failure;
    if (order.status === 'PARKED' || order.status === 'COMPENSATION_FAILED') {
      this.logger.error({ msg: 'order parked: it needs a person', orderId, step, kind, code, reason, status: order.status });
    } else {
      this.logger.warn({ msg: 'order step failed; it will be retried', orderId, step, kind, code, reason, retryAt: order.current?.retryAt });
    }
  }

  /** One action per order at a time in this process; a request that arrives meanwhile is served afterwards, never dropped. */
  private async exclusively(orderId: string, work: () => Promise<unknown>): Promise<void> {
    const busy = this.running.get(orderId);
    if (busy) {
      busy.again = true;
      return;
    }
    const running: Running = { again: false };
    this.running.set(orderId, running);
    try {
      await work();
    } catch (error) {
      this.logger.error({ msg: 'order flow step failed; the order will be resumed', orderId, err: error });
    } finally {
      this.running.delete(orderId);
    }
    // Announce only after the order is free again, so the next action is not turned away as busy.
    if (running.again) return this.announceNow(orderId);
    // An order waiting for a retry is woken by its timer, not announced.
    const next = running.recorded?.nextAction();
    if (next && next !== 'none' && !running.recorded!.waiting(new Date())) this.eventBus.publish(new OrderAdvanced(orderId, next));
  }

  private async current(orderId: string, expected: string): Promise<Order | undefined> {
    const order = await this.read(orderId);
    return order && order.nextAction() === expected ? order : undefined;
  }

  /** The order as kept in memory, or loaded from its events (always when `fresh`). */
  private async read(orderId: string, fresh = false): Promise<Order | undefined> {
    const kept = fresh ? undefined : this.orders.get(orderId);
    if (kept) return kept;
    const loaded = await this.store.load(orderId);
    if (loaded) this.keep(loaded.order);
    else this.orders.delete(orderId);
    return loaded?.order;
  }

  /** The integration events that recorded events imply, as outbox rows of the same write. */
  private announce(order: Order, events: OrderEvent[]): OutboxRow[] {
    const lines = order.lines.map((l) => ({ productId: l.productId, quantity: l.quantity, unitPrice: l.unitPrice }));
    const ref = { orderId: order.id, customerId: order.customerId, email: order.email, total: order.total, lines };
    return events.flatMap((event) => {
      if (event.type === 'OrderConfirmed') return [this.uow.outboxRow(OrderConfirmed, ref)];
      if (event.type === 'OrderRejected') return [this.uow.outboxRow(OrderRejected, { ...ref, reason: event.data.reason })];
      if (event.type === 'OrderCancelled') return [this.uow.outboxRow(OrderCancelled, ref)];
      return [];
    });
  }
}
