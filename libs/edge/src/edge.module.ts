import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { AuthController } from './auth/auth.controller';
import { AuthGuard } from './auth/auth.guard';
import { DeadLettersController } from './dead-letters/dead-letters.controller';
import { EDGE_CONFIG, EdgeConfig, loadEdgeConfig } from './edge.config';
import { OrdersController } from './orders/orders.controller';
import { ProductsController } from './products/products.controller';

/** The HTTP edge: REST routes that speak to contexts only through messages, behind token auth and rate limits. */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      useFactory: () => {
        const config: EdgeConfig = loadEdgeConfig();
        return [
          { name: 'auth', ttl: 60_000, limit: config.RATE_LIMIT_AUTH_PER_MINUTE },
          { name: 'orders', ttl: 60_000, limit: config.RATE_LIMIT_ORDERS_PER_MINUTE },
        ];
      },
    }),
  ],
  controllers: [AuthController, ProductsController, OrdersController, DeadLettersController],
  providers: [
    { provide: EDGE_CONFIG, useFactory: () => loadEdgeConfig() },
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
})
export class EdgeModule {}
