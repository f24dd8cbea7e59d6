import { Inject, Module, OnModuleInit } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { HealthIndicatorService } from '@nestjs/terminus';
import { ThrottlerModule } from '@nestjs/throttler';
import { ReadinessRegistry } from '@commerce/platform';
import { AuthController } from './auth/auth.controller';
import { AsyncApiController } from './docs/asyncapi.controller';
import { AuthGuard } from './auth/auth.guard';
import { DeadLettersController } from './dead-letters/dead-letters.controller';
import { EDGE_CONFIG, EdgeConfig, loadEdgeConfig } from './edge.config';
import { OrdersController } from './orders/orders.controller';
import { ProductsController } from './products/products.controller';
import { ReportsController } from './reports/reports.controller';
import { ResilientBus } from './resilience/resilient-bus';

/** The HTTP edge: REST routes that speak to contexts only through messages, behind token auth, rate limits and resilience policies. */
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
  controllers: [AuthController, ProductsController, OrdersController, DeadLettersController, ReportsController, AsyncApiController],
  providers: [{ provide: EDGE_CONFIG, useFactory: () => loadEdgeConfig() }, { provide: APP_GUARD, useClass: AuthGuard }, ResilientBus],
})
export class EdgeModule implements OnModuleInit {
  constructor(
    private readonly readiness: ReadinessRegistry,
    private readonly indicator: HealthIndicatorService,
    @Inject(ResilientBus) private readonly bus: ResilientBus,
  ) {}

  /** An open breaker shows as degraded in the details; it never takes the edge out of service. */
  onModuleInit(): void {
    this.readiness.add(async () => {
      const breakers = this.bus.states();
      const degraded = Object.values(breakers).some((state) => state !== 'closed');
      return this.indicator.check('dependencies').up({ degraded, breakers });
    });
  }
}
