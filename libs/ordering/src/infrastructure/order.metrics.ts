import { Injectable } from '@nestjs/common';
import { orderStatusSchema } from '@commerce/contracts';
import { MetricsRegistry } from '@commerce/platform';
import type { Histogram } from 'prom-client';
import type { RecordedEvent } from '../domain/order-events';
import type { Order } from '../domain/order.entity';

/** Orders by status (read at scrape time) and how long each step of the order flow took. */
@Injectable()
export class OrderMetrics {
  private readonly stepDuration: Histogram<'step' | 'outcome'>;

  constructor(private readonly metrics: MetricsRegistry) {
    this.stepDuration = metrics.histogram('commerce_order_step_duration_seconds', 'From a step starting to its outcome being recorded', ['step', 'outcome']);
  }

  /** Starts reporting `commerce_orders{status}` from the given count query. */
  observeStatuses(countByStatus: () => Promise<{ status: string; n: number }[]>): void {
    this.metrics.gauge('commerce_orders', 'Orders by current status', ['status'], async (gauge) => {
      gauge.reset();
      // Every status is reported, 0 included, so a first PARKED order shows as a change, not a new series.
      for (const status of orderStatusSchema.options) gauge.set({ status }, 0);
      for (const { status, n } of await countByStatus()) gauge.set({ status }, n);
    });
  }

  /** Called for each event appended to an order: a step that ends here is observed. */
  applied(before: Order['current'], event: RecordedEvent, after: Order['current']): void {
    if (!before || event.type === 'StepStarted' || after === before) return;
    const seconds = (new Date(event.recordedAt).getTime() - new Date(before.since).getTime()) / 1000;
    this.stepDuration.observe({ step: before.step, outcome: event.type }, Math.max(0, seconds));
  }
}
