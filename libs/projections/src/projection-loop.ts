import { Logger } from '@nestjs/common';
import { ProjectionRunner } from './projection-runner';

/**
 * Polls a runner: again at once after a round that filled a batch, `kickDelayMs` after a kick
 * (also one that came during a round), and after `pollMs` otherwise. The delay lets the events
 * of the next moments (the other steps of an order, other orders under load) share a round and
 * lets the transactions that hold the read horizon back end first: a round costs a transaction,
 * an empty one too.
 */
export class ProjectionLoop {
  private readonly logger = new Logger(ProjectionLoop.name);
  private timer?: NodeJS.Timeout;
  private dueAt = Infinity;
  private running?: Promise<void>;
  private stopped = true;
  private again = false;
  private installed = false;

  constructor(
    private readonly runner: ProjectionRunner,
    private readonly pollMs: number,
    private readonly kickDelayMs = 0,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** New events were stored: run soon rather than at the next poll (never later than a round already due). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) this.again = true;
    else this.schedule(this.kickDelayMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.dueAt = Infinity;
    await this.running;
  }

  /** Runs a round after `delay`, unless one is already due sooner (kicks never put a round off). */
  private schedule(delay: number): void {
    const at = Date.now() + delay;
    if (this.timer && this.dueAt <= at) return;
    clearTimeout(this.timer);
    this.dueAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.dueAt = Infinity;
      void this.round();
    }, delay);
    this.timer.unref();
  }

  private async round(): Promise<void> {
    if (this.running || this.stopped) return;
    let next = this.pollMs;
    this.running = (async () => {
      try {
        if (!this.installed) {
          await this.runner.install();
          this.installed = true;
        }
        await this.runner.tick();
        // Not after every busy round: one that took fewer than a batch left nothing to read, and
        // a round for nothing costs a transaction.
        if (this.runner.hadFullBatch) next = 0;
        else if (this.again) next = this.kickDelayMs;
      } catch (error) {
        // Database unreachable or similar: nothing was applied; try again later.
        this.logger.warn({ msg: 'projection round failed', schema: this.runner.schema, err: (error as Error).message });
        next = this.pollMs * 4;
      }
    })();
    await this.running;
    this.running = undefined;
    this.again = false;
    if (!this.stopped) this.schedule(next);
  }
}
