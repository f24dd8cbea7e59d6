import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import {
  Envelope,
  OrderCancelled,
  OrderConfirmed,
  OrderPlaced,
  OrderRejected,
  PaymentCaptured,
  PaymentRefunded,
  ShipmentCreated,
  StockCommitted,
  StockReleased,
  StockReserved,
} from '@commerce/contracts';
import { GroupCommit, Handles, MessageContext } from '@commerce/messaging';
import { InjectDataSource, RequestContext } from '@commerce/platform';
import { ProjectionLoop } from '@commerce/projections';
import { DataSource } from 'typeorm';
import { EventToLog, logEvents } from '../../infrastructure/event-log.repository';

/**
 * Keeps every integration event reporting reads in its own log, once (inbox and message id), so
 * that projections read in commit order and a rebuild can replay history that the bus no longer has.
 * Events arriving together are logged by one statement (group commit): an order brings about six.
 */
@Controller()
export class RecordIntegrationEventHandler {
  private readonly log: GroupCommit<EventToLog, boolean>;

  constructor(
    @InjectDataSource('reporting') dataSource: DataSource,
    private readonly loop: ProjectionLoop,
  ) {
    this.log = new GroupCommit((events) => logEvents(dataSource, events));
  }

  @Handles(OrderPlaced)
  onOrderPlaced(@Payload() _: unknown, @Ctx() ctx: MessageContext): Promise<void> {
    return this.record(ctx.getEnvelope());
  }

  @Handles(OrderConfirmed)
  onOrderConfirmed(@Payload() _: unknown, @Ctx() ctx: MessageContext): Promise<void> {
    return this.record(ctx.getEnvelope());
  }

  @Handles(OrderRejected)
  onOrderRejected(@Payload() _: unknown, @Ctx() ctx: MessageContext): Promise<void> {
    return this.record(ctx.getEnvelope());
  }

  @Handles(OrderCancelled)
  onOrderCancelled(@Payload() _: unknown, @Ctx() ctx: MessageContext): Promise<void> {
    return this.record(ctx.getEnvelope());
  }

  @Handles(PaymentCaptured)
  onPaymentCaptured(@Payload() _: unknown, @Ctx() ctx: MessageContext): Promise<void> {
    return this.record(ctx.getEnvelope());
  }

  @Handles(PaymentRefunded)
  onPaymentRefunded(@Payload() _: unknown, @Ctx() ctx: MessageContext): Promise<void> {
    return this.record(ctx.getEnvelope());
  }

  @Handles(ShipmentCreated)
  onShipmentCreated(@Payload() _: unknown, @Ctx() ctx: MessageContext): Promise<void> {
    return this.record(ctx.getEnvelope());
  }

  @Handles(StockReserved)
  onStockReserved(@Payload() _: unknown, @Ctx() ctx: MessageContext): Promise<void> {
    return this.record(ctx.getEnvelope());
  }

  @Handles(StockCommitted)
  onStockCommitted(@Payload() _: unknown, @Ctx() ctx: MessageContext): Promise<void> {
    return this.record(ctx.getEnvelope());
  }

  @Handles(StockReleased)
  onStockReleased(@Payload() _: unknown, @Ctx() ctx: MessageContext): Promise<void> {
    return this.record(ctx.getEnvelope());
  }

  private async record(envelope: Envelope): Promise<void> {
    const handler = RequestContext.current()?.handlerName;
    if (!handler) throw new Error('RecordIntegrationEventHandler must run inside a message handler');
    if (await this.log.submit({ envelope, handler })) this.loop.kick();
  }
}
