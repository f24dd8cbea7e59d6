import { Controller, Inject } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import { Ctx, Payload } from '@nestjs/microservices';
import { GetProducts, OrderPlaced, PayloadOf, PlaceOrder, ResultOf } from '@commerce/contracts';
import { Handles, MessageContext, MessagingClient, send, UnitOfWork } from '@commerce/messaging';
import { InjectDataSource, recordingTraceId } from '@commerce/platform';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { OrderLine } from '../../domain/order-events';
import { MixedCurrencyError, UnknownProductError } from '../../domain/ordering.errors';
import { IdempotencyKeyRepository } from '../../infrastructure/idempotency-key.repository';
import { OrderStore } from '../../infrastructure/order-store.repository';
import { ORDERING_CONFIG, OrderingConfig } from '../../ordering.config';
import { OrderAdvanced } from '../order-flow/order-advanced.event';
import { OrderFlow } from '../order-flow/order-flow';

/** Places an order at the catalog's current prices and starts the order flow. */
@Controller()
export class PlaceOrderHandler {
  constructor(
    @InjectDataSource('ordering') private readonly dataSource: DataSource,
    private readonly store: OrderStore,
    private readonly keys: IdempotencyKeyRepository,
    private readonly uow: UnitOfWork,
    private readonly client: MessagingClient,
    private readonly eventBus: EventBus,
    private readonly flow: OrderFlow,
    @Inject(ORDERING_CONFIG) private readonly config: OrderingConfig,
  ) {}

  @Handles(PlaceOrder)
  async handle(@Payload() command: PayloadOf<typeof PlaceOrder>, @Ctx() ctx: MessageContext): Promise<ResultOf<typeof PlaceOrder>> {
    const { idempotencyKey, ...request } = command;
    // Without a client key, the command's own id still makes a redelivery find the order it created.
    const key = idempotencyKey ? `${request.customerId}:${idempotencyKey}` : `message:${ctx.getEnvelope().id}`;
    const hash = IdempotencyKeyRepository.hash(request);
    // A retried or redelivered placement is answered from what was recorded, before any call that could fail.
    const known = await this.keys.find(key, hash);
    if (known) return this.answer(known);
    const lines = await this.price(request.lines);
    const total = { amount: lines.reduce((sum, l) => sum + l.unitPrice.amount * l.quantity, 0), currency: lines[0].unitPrice.currency };
    const { customerId, email, shippingAddress, paymentToken } = request;
    // The trace id lets the operator's page link an order to its trace.
    const traceId = recordingTraceId();
    const placed = { customerId, email, lines, total, shippingAddress, paymentToken, ...(traceId ? { traceId } : {}) };
    const orderId = randomUUID();
    // The order, the start of its first step, its timer (which resumes the flow if this process
    // dies now) and its announcement are written with the key's claim, in one statement.
    const change = this.flow.placement(orderId, { type: 'OrderPlaced', data: placed });
    const announced = lines.map(({ productId, quantity, unitPrice }) => ({ productId, quantity, unitPrice }));
    change.outbox.push(this.uow.outboxRow(OrderPlaced, { orderId, customerId, email, total, lines: announced, placedAt: new Date().toISOString() }));
    if (!(await this.store.place(change, { key, hash }))) return this.answer((await this.keys.find(key, hash))!);
    if (idempotencyKey && idempotencyKey === this.config.ORDERING_CRASH_AFTER_STORE_KEY) process.kill(process.pid, 'SIGKILL');
    this.flow.keep(change.order);
    this.eventBus.publish(new OrderAdvanced(orderId, change.order.nextAction()));
    return { orderId, status: change.order.status, created: true };
  }

  private async answer(result: { orderId: string; created: false }): Promise<ResultOf<typeof PlaceOrder>> {
    const view = await this.store.view(result.orderId);
    return { orderId: result.orderId, status: view!.status, created: result.created };
  }

  /** Prices come from the catalog at the time of ordering, never from the client. */
  private async price(requested: { productId: string; quantity: number }[]): Promise<OrderLine[]> {
    const ids = [...new Set(requested.map((l) => l.productId))];
    const { items } = await send(this.client, GetProducts, { ids });
    const byId = new Map(items.map((p) => [p.id, p]));
    const unknown = ids.filter((id) => !byId.has(id));
    if (unknown.length) throw new UnknownProductError(unknown);
    if (new Set(items.map((p) => p.price.currency)).size > 1) throw new MixedCurrencyError();
    return requested.map((l) => {
      const product = byId.get(l.productId)!;
      return { productId: l.productId, quantity: l.quantity, unitPrice: product.price, name: product.name };
    });
  }
}
