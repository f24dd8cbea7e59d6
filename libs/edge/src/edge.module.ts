import { Module } from '@nestjs/common';
import { DeadLettersController } from './dead-letters/dead-letters.controller';
import { OrdersController } from './orders/orders.controller';
import { ProductsController } from './products/products.controller';

/** The HTTP edge: REST routes that speak to contexts only through messages. */
@Module({ controllers: [ProductsController, OrdersController, DeadLettersController] })
export class EdgeModule {}
