import { Module } from '@nestjs/common';
import { ProductsController } from './products/products.controller';

/** The HTTP edge: REST routes that speak to contexts only through messages. */
@Module({ controllers: [ProductsController] })
export class EdgeModule {}
