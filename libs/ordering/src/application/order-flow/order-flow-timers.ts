import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { OrderTimerRepository } from '../../infrastructure/order-timer.repository';
import { ORDERING_CONFIG, OrderingConfig } from '../../ordering.config';
import { OrderFlow } from './order-flow';

const BATCH = 100;

/**
 * Fires the order flow's durable timers (ordering.order_timer): retries after a backoff, step
 * deadlines, and orders whose process went quiet (a crash, a lost reply, an owner that was down).
 * Each due row is claimed with FOR UPDATE SKIP LOCKED and leased for ORDER_STALL_MS, then the
 * order's next action is announced; the step checks its own deadline and retry time. Polls every
 * ORDER_RECOVERY_INTERVAL_MS; a timer is never a process timer, so a restart loses none.
 */
@Injectable()
export class OrderFlowTimers implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OrderFlowTimers.name);
  private timer?: NodeJS.Timeout;
  private polling = false;

  constructor(
    private readonly timers: OrderTimerRepository,
    private readonly flow: OrderFlow,
    @Inject(ORDERING_CONFIG) private readonly config: OrderingConfig,
  ) {}

  onApplicationBootstrap(): void {
    // The first poll waits one interval, so the message bus is up before any step is resumed.
    this.timer = setInterval(() => void this.poll(), this.config.ORDER_RECOVERY_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Claims the due timers and wakes their orders; returns how many fired. */
  async poll(): Promise<number> {
    if (this.polling) return 0;
    this.polling = true;
    let fired = 0;
    try {
      for (;;) {
        const due = await this.timers.claimDue(BATCH, this.config.ORDER_STALL_MS);
        for (const { orderId } of due) await this.flow.announceNow(orderId);
        fired += due.length;
        if (due.length < BATCH) break;
      }
    } catch (error) {
      this.logger.warn({ msg: 'order timers could not be polled', err: error instanceof Error ? error.message : String(error) });
    } finally {
      this.polling = false;
    }
    return fired;
  }
}
