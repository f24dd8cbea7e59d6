import { Inject, Injectable, Logger } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import {
  CancelShipment,
  ChargePayment,
  CommitStock,
  CreateShipment,
  DomainError,
  ErrorKind,
  OrderCancelled,
  OrderConfirmed,
  OrderRejected,
  RefundPayment,
  ReleaseStock,
  ReserveStock,
} from '@commerce/contracts';
import { Emit, MessageBus, UnitOfWork } from '@commerce/messaging';
import { InjectDataSource } from '@commerce/platform';
import { DataSource } from 'typeorm';
import { Compensation, OrderEvent, Step } from '../../domain/order-events';
import { Order } from '../../domain/order.entity';
import { ConcurrentAppendError } from '../../domain/ordering.errors';
import { OrderStore } from '../../infrastructure/order-store.repository';
import { ORDERING_CONFIG, OrderingConfig } from '../../ordering.config';
import { OrderAdvanced } from './order-advanced.event';

const STEP_OUTCOME: Record<Step | Compensation, string> = {
  'reserve-stock': 'StockReserved',
  'charge-payment': 'PaymentCaptured',
  'create-shipment': 'ShipmentCreated',
  'commit-stock': 'StockCommitted',
  'cancel-shipment': 'ShipmentCancelled',
  'refund-payment': 'PaymentRefunded',
  'release-stock': 'StockReleased',
};

/** Failures that say nothing about the compensation itself: the owner was slow or unreachable. */
const TRANSIENT_KINDS = new Set<ErrorKind>(['timeout', 'unavailable']);
const MAX_COMPENSATION_BACKOFF_MS = 30_000;

/**
 * Executes the order flow one step at a time. Every step first records that it started (the
 * saga's persisted state), then calls the owning context with an idempotent command keyed by the
 * order id and a deadline, then records the outcome. After a crash the order is resumed from its
 * events: the same command is sent again, which the owner answers without a second effect.
 */
@Injectable()
export class OrderFlow {
  private readonly logger = new Logger(OrderFlow.name);
  private readonly busy = new Set<string>();
  /** Next actions recorded while an order was busy, announced once it is free. */
  private readonly pending: OrderAdvanced[] = [];

  /**
   * What the same transaction can record next, saving a round of the saga: the start of the next
   * forward step (its deadline runs from here), or the final event once nothing is left to do.
   * Compensations are not chained: each records its own attempt.
   */
  private followUp(order: Order, recorded: OrderEvent[]): OrderEvent[] {
    const outcome = recorded[recorded.length - 1];
    if (outcome.type === 'StepStarted' || outcome.type === 'LateReplyIgnored' || order.terminal) return [];
    const next = order.nextAction();
    if (next === 'finalize') return [order.finalEvent()];
    if (next === 'charge-payment' || next === 'create-shipment' || next === 'commit-stock') return [{ type: 'StepStarted', data: { step: next } }];
    return [];
  }

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
    return this.busy.has(orderId);
  }

  async runStep(orderId: string, step: Step): Promise<void> {
    await this.exclusively(orderId, async () => {
      const order = await this.current(orderId, step);
      if (!order) return;
      if (order.current?.step === step && order.overdue(new Date(), this.config.ORDER_STEP_TIMEOUT_MS)) {
        return this.record(orderId, (o) => (o.current?.step === step ? [{ type: 'StepTimedOut', data: { step } }] : []));
      }
      const started =
        order.current?.step === step ? order : await this.record(orderId, (o) => (o.nextAction() === step ? [{ type: 'StepStarted', data: { step } }] : []));
      // The order moved on (a cancellation) between reading it and recording the start: send nothing.
      if (started.current?.step !== step) return undefined;
      const remaining = this.config.ORDER_STEP_TIMEOUT_MS - (Date.now() - new Date(started.current.since).getTime());
      let outcome: OrderEvent;
      try {
        outcome = await this.callStep(started, step, Math.max(remaining, 50));
      } catch (error) {
        const code = (error as DomainError).code;
        if (code === 'MESSAGING.TIMEOUT' && Order.hasDeadline(step)) {
          return this.record(orderId, (o) => (o.current?.step === step ? [{ type: 'StepTimedOut', data: { step } }] : []));
        }
        // Unavailable or failing owner: the step stays in progress and is resumed until its deadline.
        this.logger.warn({ msg: 'order step failed; it will be resumed', orderId, step, code, err: (error as Error).message });
        return undefined;
      }
      return this.record(orderId, (o) =>
        o.current?.step === step && o.nextAction() === step ? [outcome] : [{ type: 'LateReplyIgnored', data: { step, outcome: outcome.type } }],
      );
    });
  }

  async compensate(orderId: string, compensation: Compensation): Promise<void> {
    await this.exclusively(orderId, async () => {
      const order = await this.current(orderId, compensation);
      if (!order) return;
      const attempted = await this.record(orderId, (o) => (o.nextAction() === compensation ? [{ type: 'StepStarted', data: { step: compensation } }] : []));
      if (attempted.nextAction() !== compensation) return undefined;
      const attempts = attempted.attempts[compensation] ?? 0;
      try {
        await this.callCompensation(attempted, compensation);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        // A compensation must end in its effect: an owner that is slow or down (a load spike, a
        // restart) is retried until it answers; only a failing answer counts towards giving up.
        const transient = TRANSIENT_KINDS.has((error as DomainError).kind);
        if (!transient && attempts >= this.config.ORDER_COMPENSATION_ATTEMPTS) {
          this.logger.error({ msg: 'compensation failed for good', orderId, compensation, reason });
          return this.record(orderId, (o) => (o.nextAction() === compensation ? [{ type: 'CompensationFailed', data: { compensation, reason } }] : []));
        }
        this.logger.warn({ msg: 'compensation failed; retrying', orderId, compensation, attempts, transient, reason });
        const delay = Math.min(100 * 2 ** attempts, MAX_COMPENSATION_BACKOFF_MS);
        const retry = setTimeout(() => this.eventBus.publish(new OrderAdvanced(orderId, compensation)), delay);
        retry.unref();
        return undefined;
      }
      return this.record(orderId, (o) => (o.nextAction() === compensation ? [{ type: STEP_OUTCOME[compensation], data: {} } as OrderEvent] : []));
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
   * retrying on a concurrent append; then announces the order's next action.
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
          await this.announce(loaded, [...events, ...follow], emit);
          return loaded;
        });
        this.pending.push(new OrderAdvanced(orderId, order.nextAction()));
        return order;
      } catch (error) {
        if (!(error instanceof ConcurrentAppendError) || attempt >= 5) throw error;
      }
    }
  }

  /** Announces an order's next action now (used after a change made outside a step, like a cancellation). */
  async announceNow(orderId: string): Promise<void> {
    const loaded = await this.store.load(orderId);
    this.pending.splice(0, this.pending.length, ...this.pending.filter((a) => a.orderId !== orderId));
    if (loaded && !this.busy.has(orderId)) this.eventBus.publish(new OrderAdvanced(orderId, loaded.order.nextAction()));
  }

  private async exclusively(orderId: string, work: () => Promise<unknown>): Promise<void> {
    if (this.busy.has(orderId)) return;
    this.busy.add(orderId);
    try {
      await work();
    } catch (error) {
      this.logger.error({ msg: 'order flow step failed; the order will be resumed', orderId, err: error });
    } finally {
      this.busy.delete(orderId);
    }
    // Announce only after the order is free again, so the next step is not skipped as busy.
    const advanced = this.pending.filter((a) => a.orderId === orderId);
    this.pending.splice(0, this.pending.length, ...this.pending.filter((a) => a.orderId !== orderId));
    const last = advanced[advanced.length - 1];
    if (last && last.next !== 'none') this.eventBus.publish(last);
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

  private async callStep(order: Order, step: Step, timeoutMs: number): Promise<OrderEvent> {
    const options = { timeoutMs };
    switch (step) {
      case 'reserve-stock': {
        const lines = order.lines.map((l) => ({ productId: l.productId, quantity: l.quantity }));
        const r = await this.bus.send(ReserveStock, { orderId: order.id, lines }, options);
        if (r.status === 'RESERVED' || r.status === 'COMMITTED') return { type: 'StockReserved', data: {} };
        const reason = r.shortages?.length
          ? `out of stock: ${r.shortages.map((s) => `${s.productId} (${s.available} of ${s.requested})`).join(', ')}`
          : `stock ${r.status.toLowerCase()}`;
        return { type: 'StockReservationFailed', data: { reason } };
      }
      case 'charge-payment': {
        const r = await this.bus.send(ChargePayment, { orderId: order.id, amount: order.total, paymentToken: order.paymentToken, email: order.email }, options);
        if (r.status === 'CAPTURED') return { type: 'PaymentCaptured', data: {} };
        if (r.status === 'PENDING') throw new DomainError('ORDERING.PAYMENT_PENDING', 'unavailable', 'payment still pending');
        return { type: 'PaymentFailed', data: { reason: r.reason ?? `payment ${r.status.toLowerCase()}` } };
      }
      case 'create-shipment': {
        const items = order.lines.reduce((n, l) => n + l.quantity, 0);
        const r = await this.bus.send(CreateShipment, { orderId: order.id, address: order.shippingAddress, items }, options);
        if (r.status === 'CREATED') return { type: 'ShipmentCreated', data: { trackingNumber: r.trackingNumber ?? '' } };
        return { type: 'ShipmentFailed', data: { reason: r.reason ?? `shipment ${r.status.toLowerCase()}` } };
      }
      case 'commit-stock':
        await this.bus.send(CommitStock, { orderId: order.id }, options);
        return { type: 'StockCommitted', data: {} };
    }
  }

  private async callCompensation(order: Order, compensation: Compensation): Promise<void> {
    const options = { timeoutMs: this.config.ORDER_STEP_TIMEOUT_MS };
    if (compensation === 'cancel-shipment') await this.bus.send(CancelShipment, { orderId: order.id }, options);
    if (compensation === 'refund-payment') await this.bus.send(RefundPayment, { orderId: order.id, reason: order.reason }, options);
    if (compensation === 'release-stock') await this.bus.send(ReleaseStock, { orderId: order.id, reason: order.reason }, options);
  }
}
