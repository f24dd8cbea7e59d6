import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Latency buckets in seconds, from a loopback call (1 ms) to a step deadline (30 s). */
export const LATENCY_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * How often prom-client's event-loop delay monitor samples (its default is 10 ms). The monitor is
 * a libuv timer that wakes the process on every tick whether or not it has work: at 10 ms an idle
 * process spent 5.6 ms of CPU per second on it, at 100 ms 1.7 ms (Node 26, 10 s idle), and the
 * split runs eight such processes. Stalls of 100 ms and more are still seen in full; shorter ones
 * are seen when a sample falls in them, which over a scrape interval is still a fair p99.
 */
const EVENT_LOOP_RESOLUTION_MS = 100;

type Labels<L extends string> = readonly L[];

/**
 * This process's Prometheus registry. One per Nest app, not prom-client's global one, so that
 * several apps in one test process do not collide. Metrics are created on first use by name; a
 * second caller asking for the same name gets the same metric.
 */
@Injectable()
export class MetricsRegistry {
  readonly registry = new Registry();

  constructor() {
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: EVENT_LOOP_RESOLUTION_MS });
  }

  counter<L extends string>(name: string, help: string, labelNames: Labels<L>): Counter<L> {
    return this.existing(name) ?? new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  histogram<L extends string>(name: string, help: string, labelNames: Labels<L>, buckets = LATENCY_BUCKETS): Histogram<L> {
    return this.existing(name) ?? new Histogram({ name, help, labelNames, buckets, registers: [this.registry] });
  }

  /** A gauge read when scraped: `collect` sets its values (it may query a database). */
  gauge<L extends string>(name: string, help: string, labelNames: Labels<L>, collect?: (gauge: Gauge<L>) => Promise<void> | void): Gauge<L> {
    return (
      this.existing(name) ??
      new Gauge({
        name,
        help,
        labelNames,
        registers: [this.registry],
        ...(collect
          ? {
              collect: async function (this: Gauge<L>) {
                await collect(this);
              },
            }
          : {}),
      })
    );
  }

  /** The exposition text and its content type. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  private existing<M>(name: string): M | undefined {
    return this.registry.getSingleMetric(name) as M | undefined;
  }
}
