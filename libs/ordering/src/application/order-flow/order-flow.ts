import { Inject, Injectable, Logger } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import { DomainError, OrderCancelled, OrderConfirmed, OrderRejected } from '@commerce/contracts';
import { Emit, MessageBus, UnitOfWork } from '@commerce/messaging';
import { InjectDataSource } from '@commerce/platform';
import { DataSource } from 'typeorm';
import { Compensation, OrderFlowDefinition as flow, Step, StepReply } from '../../domain/order-flow.definition';
import { OrderEvent, StepFailure } from '../../domain/order-events';
import { Order } from '../../domain/order.entity';
import { ConcurrentAppendError } from '../../domain/ordering.errors';
import { OrderStore } from '../../infrastructure/order-store.repository';
import { ORDERING_CONFIG, OrderingConfig } from '../../ordering.config';
import { OrderAdvanced } from './order-advanced.event';

/** What this process is doing for an order: the next action is announced when it is done. */
interface Running {
  /** Someone asked for the order while it was busy: look at it again afterwards. */
  again: boolean;
  /** The order as last recorded during the work. */
  recorded?: Order;
}

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
 */
@Injectable()
export class OrderFlow {
  private readonly logger = new Logger(OrderFlow.name);
  private readonly running = new Map<string, Running>();

  constructor(
    @InjectDataSource('ordering') private readonly dataSource: DataSource,
    private readonly store: OrderStore,
    private readonly uow: UnitOfWork,
    private readonly bus: MessageBus,
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
        reply = definition.reply(await this.bus.send(definition.command, definition.payload(order), { timeoutMs }));
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
        await this.bus.send(definition.command, definition.payload(attempted), { timeoutMs: this.config.ORDER_STEP_TIMEOUT_MS });
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
   * Appends what `decide` returns in one transaction with the integration events it implies,
   * retrying on a concurrent append; the order's next action is announced once it is free.
   */
  async record(orderId: string, decide: (order: Order) => OrderEvent[]): Promise<Order> {
    for (let attempt = 1; ; attempt++) {
      try {
        const order = await this.uow.transaction(this.dataSource, async (manager, emit) => {
          await manager.query(`SELECT 1 FROM ordering.order_view WHERE id = $1 FOR UPDATE`, [orderId]);
          const { order: loaded } = (await this.store.load(orderId, manager))!;
          const events = decide(loaded);
          if (events.length === 0) return loaded;
          await this.store.append(manager, loaded, events);
          const follow = this.followUp(loaded, events);
          if (follow.length) await this.store.append(manager, loaded, follow);
          await this.store.schedule(manager, loaded);
          await this.announce(loaded, [...events, ...follow], emit);
          return loaded;
        });
        const running = this.running.get(orderId);
        if (running) running.recorded = order;
        return order;
      } catch (error) {
        if (!(error instanceof ConcurrentAppendError) || attempt >= 5) throw error;
      }
    }
  }

  /** Announces an order's next action (after a change made outside a step, like a cancellation, or when a timer is due). */
  async announceNow(orderId: string): Promise<void> {
    const running = this.running.get(orderId);
    if (running) {
      running.again = true;
      return;
    }
    const loaded = await this.store.load(orderId);
    if (loaded && !loaded.order.terminal) this.eventBus.publish(new OrderAdvanced(orderId, loaded.order.nextAction()));
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
    const loaded = await this.store.load(orderId);
    return loaded && loaded.order.nextAction() === expected ? loaded.order : undefined;
  }

  private async announce(order: Order, events: OrderEvent[], emit: Emit): Promise<void> {
    const lines = order.lines.map((l) => ({ productId: l.productId, quantity: l.quantity, unitPrice: l.unitPrice }));
    const ref = { orderId: order.id, customerId: order.customerId, email: order.email, total: order.total, lines };
    for (const event of events) {
      if (event.type === 'OrderConfirmed') await emit(OrderConfirmed, ref);
      if (event.type === 'OrderRejected') await emit(OrderRejected, { ...ref, reason: event.data.reason });
      if (event.type === 'OrderCancelled') await emit(OrderCancelled, ref);
    }
  }
}
