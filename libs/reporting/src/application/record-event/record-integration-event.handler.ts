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
import { Handles, MessageContext, UnitOfWork } from '@commerce/messaging';
import { InjectDataSource } from '@commerce/platform';
import { ProjectionLoop } from '@commerce/projections';
import { DataSource } from 'typeorm';

/**
 * Keeps every integration event reporting reads in its own log, once (inbox and message id), so
 * that projections read in commit order and a rebuild can replay history that the bus no longer has.
 */
@Controller()
export class RecordIntegrationEventHandler {
  constructor(
    @InjectDataSource('reporting') private readonly dataSource: DataSource,
    private readonly uow: UnitOfWork,
    private readonly loop: ProjectionLoop,
  ) {}

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
    const stored = await this.uow.once(this.dataSource, async (m) => {
      await m.query(`INSERT INTO reporting.event_log (message_id, type, data, recorded_at) VALUES ($1, $2, $3, $4) ON CONFLICT (message_id) DO NOTHING`, [
        envelope.id,
        envelope.type,
        JSON.stringify(envelope.payload),
        envelope.timestamp,
      ]);
    });
    if (stored) this.loop.kick();
  }
}
