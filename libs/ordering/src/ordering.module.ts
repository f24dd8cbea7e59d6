import { Inject, Module, OnModuleInit, Type } from '@nestjs/common';
import { CqrsModule, EventIdProvider, IEvent } from '@nestjs/cqrs';
import { HealthIndicatorService } from '@nestjs/terminus';
import { PersistenceModule, ReadinessRegistry } from '@commerce/platform';
import { CancelOrderHandler } from './application/cancel-order/cancel-order.handler';
import { GetOrderHandler } from './application/get-order/get-order.handler';
import { ListOrdersHandler } from './application/list-orders/list-orders.handler';
import { OrderFlow } from './application/order-flow/order-flow';
import { OrderFlowTimers } from './application/order-flow/order-flow-timers';
import { CompensateOrderHandler, FinalizeOrderHandler, RunOrderStepHandler } from './application/order-flow/order-flow.handlers';
import { OrderFlowSaga } from './application/order-flow/order-flow.saga';
import { PlaceOrderHandler } from './application/place-order/place-order.handler';
import { IdempotencyKeyRepository } from './infrastructure/idempotency-key.repository';
import { OrderStore } from './infrastructure/order-store.repository';
import { OrderTimerRepository } from './infrastructure/order-timer.repository';
import { OrderMetrics } from './infrastructure/order.metrics';
import { orderingDatabase } from './infrastructure/ordering.database';
import { loadOrderingConfig, ORDERING_CONFIG } from './ordering.config';

/**
 * Events are matched to handlers by their class name, not by the random id @nestjs/cqrs gives a
 * class when it is first loaded: a second copy of the class (another bundle, a test's module
 * registry) would otherwise never be matched.
 */
const byClassName: EventIdProvider = { getEventId: (event: Type<IEvent>) => event.name || null };

/** The ordering context: event-sourced orders and the order flow saga. */
@Module({
  imports: [PersistenceModule.forContext(orderingDatabase), CqrsModule.forRoot({ eventIdProvider: byClassName })],
  providers: [
    { provide: ORDERING_CONFIG, useFactory: () => loadOrderingConfig() },
    OrderStore,
    OrderMetrics,
    IdempotencyKeyRepository,
    OrderFlow,
    OrderFlowSaga,
    OrderFlowTimers,
    OrderTimerRepository,
    RunOrderStepHandler,
    CompensateOrderHandler,
    FinalizeOrderHandler,
  ],
  // Message handlers: Nest registers their @Handles patterns from a module's controllers.
  controllers: [PlaceOrderHandler, CancelOrderHandler, GetOrderHandler, ListOrdersHandler],
})
export class OrderingModule implements OnModuleInit {
  constructor(
    private readonly readiness: ReadinessRegistry,
    private readonly indicator: HealthIndicatorService,
    @Inject(OrderStore) private readonly store: OrderStore,
  ) {}

  /** Reports orders whose compensation failed or that are parked; they need a person, but do not make the service unready. */
  onModuleInit(): void {
    this.readiness.add(async () =>
      this.indicator
        .check('orders')
        .up({ compensationFailed: await this.store.countByStatus('COMPENSATION_FAILED'), parked: await this.store.countByStatus('PARKED') }),
    );
  }
}
