import { Module } from '@nestjs/common';
import { PersistenceModule } from '@commerce/platform';
import { CancelShipmentHandler } from './application/cancel-shipment/cancel-shipment.handler';
import { CreateShipmentHandler } from './application/create-shipment/create-shipment.handler';
import { shippingDatabase } from './infrastructure/shipping.database';

/** The shipping context: one shipment per order with a simulated carrier. */
@Module({
  imports: [PersistenceModule.forContext(shippingDatabase)],
  controllers: [CreateShipmentHandler, CancelShipmentHandler],
})
export class ShippingModule {}
