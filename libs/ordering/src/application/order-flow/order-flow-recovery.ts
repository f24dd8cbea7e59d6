import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import { OrderStore } from '../../infrastructure/order-store.repository';
import { ORDERING_CONFIG, OrderingConfig } from '../../ordering.config';
import { OrderAdvanced } from './order-advanced.event';
import { OrderFlow } from './order-flow';

/**
 * Resumes orders that went quiet (a crash, a lost reply, an owner that was down): it re-announces
 * their next action, and the step checks its own deadline. Runs on start and then periodically.
 */
@Injectable()
export class OrderFlowRecovery implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OrderFlowRecovery.name);
  private timer?: NodeJS.Timeout;
  private scanning = false;

  constructor(
    private readonly store: OrderStore,
    private readonly flow: OrderFlow,
    private readonly eventBus: EventBus,
    @Inject(ORDERING_CONFIG) private readonly config: OrderingConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.scan(), this.config.ORDER_RECOVERY_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async scan(): Promise<void> {
    if (this.scanning) return;
    this.scanning = true;
    try {
      for (const orderId of await this.store.stalled(this.config.ORDER_STALL_MS)) {
        if (this.flow.isBusy(orderId)) continue;
        const loaded = await this.store.load(orderId);
        if (!loaded) continue;
        this.eventBus.publish(new OrderAdvanced(orderId, loaded.order.nextAction()));
      }
    } catch (error) {
      this.logger.warn({ msg: 'order recovery scan failed', err: error instanceof Error ? error.message : String(error) });
    } finally {
      this.scanning = false;
    }
  }
}
