import { Inject, Module, OnModuleInit } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { HealthIndicatorService } from '@nestjs/terminus';
import { PersistenceModule, ReadinessRegistry } from '@commerce/platform';
import { CancelOrderHandler } from './application/cancel-order/cancel-order.handler';
import { GetOrderHandler } from './application/get-order/get-order.handler';
import { ListOrdersHandler } from './application/list-orders/list-orders.handler';
import { OrderFlow } from './application/order-flow/order-flow';
import { OrderFlowRecovery } from './application/order-flow/order-flow-recovery';
import { CompensateOrderHandler, FinalizeOrderHandler, RunOrderStepHandler } from './application/order-flow/order-flow.handlers';
import { OrderFlowSaga } from './application/order-flow/order-flow.saga';
import { PlaceOrderHandler } from './application/place-order/place-order.handler';
import { IdempotencyKeyRepository } from './infrastructure/idempotency-key.repository';
import { OrderStore } from './infrastructure/order-store.repository';
import { OrderMetrics } from './infrastructure/order.metrics';
import { orderingDatabase } from './infrastructure/ordering.database';
import { loadOrderingConfig, ORDERING_CONFIG } from './ordering.config';

/** The ordering context: event-sourced orders and the order flow saga. */
@Module({
  imports: [PersistenceModule.forContext(orderingDatabase), CqrsModule.forRoot()],
  providers: [
    { provide: ORDERING_CONFIG, useFactory: () => loadOrderingConfig() },
    OrderStore,
    OrderMetrics,
    IdempotencyKeyRepository,
    OrderFlow,
    OrderFlowSaga,
    OrderFlowRecovery,
    RunOrderStepHandler,
    CompensateOrderHandler,
    FinalizeOrderHandler,
    PlaceOrderHandler,
    CancelOrderHandler,
    GetOrderHandler,
    ListOrdersHandler,
  ],
})
export class OrderingModule implements OnModuleInit {
  constructor(
    private readonly readiness: ReadinessRegistry,
    private readonly indicator: HealthIndicatorService,
    @Inject(OrderStore) private readonly store: OrderStore,
  ) {}

  /** Reports orders whose compensation failed; they need a person, but do not make the service unready. */
  onModuleInit(): void {
    this.readiness.add(async () => this.indicator.check('orders').up({ compensationFailed: await this.store.countByStatus('COMPENSATION_FAILED') }));
  }
}
