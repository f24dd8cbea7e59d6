import { Injectable } from '@nestjs/common';
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
import { MessageHandler, UnitOfWork } from '@commerce/messaging';
import { InjectDataSource } from '@commerce/platform';
import { ProjectionLoop } from '@commerce/projections';
import { DataSource } from 'typeorm';

/**
 * Keeps every integration event reporting reads in its own log, once (inbox and message id), so
 * that projections read in commit order and a rebuild can replay history that the bus no longer has.
 */
@Injectable()
export class RecordIntegrationEventHandler {
  constructor(
    @InjectDataSource('reporting') private readonly dataSource: DataSource,
    private readonly uow: UnitOfWork,
    private readonly loop: ProjectionLoop,
  ) {}

  @MessageHandler(OrderPlaced)
  onOrderPlaced(_: unknown, envelope: Envelope): Promise<void> {
    return this.record(envelope);
  }

  @MessageHandler(OrderConfirmed)
  onOrderConfirmed(_: unknown, envelope: Envelope): Promise<void> {
    return this.record(envelope);
  }

  @MessageHandler(OrderRejected)
  onOrderRejected(_: unknown, envelope: Envelope): Promise<void> {
    return this.record(envelope);
  }

  @MessageHandler(OrderCancelled)
  onOrderCancelled(_: unknown, envelope: Envelope): Promise<void> {
    return this.record(envelope);
  }

  @MessageHandler(PaymentCaptured)
  onPaymentCaptured(_: unknown, envelope: Envelope): Promise<void> {
    return this.record(envelope);
  }

  @MessageHandler(PaymentRefunded)
  onPaymentRefunded(_: unknown, envelope: Envelope): Promise<void> {
    return this.record(envelope);
  }

  @MessageHandler(ShipmentCreated)
  onShipmentCreated(_: unknown, envelope: Envelope): Promise<void> {
    return this.record(envelope);
  }

  @MessageHandler(StockReserved)
  onStockReserved(_: unknown, envelope: Envelope): Promise<void> {
    return this.record(envelope);
  }

  @MessageHandler(StockCommitted)
  onStockCommitted(_: unknown, envelope: Envelope): Promise<void> {
    return this.record(envelope);
  }

  @MessageHandler(StockReleased)
  onStockReleased(_: unknown, envelope: Envelope): Promise<void> {
    return this.record(envelope);
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
