import { Logger } from '@nestjs/common';
import { ProjectionRunner } from './projection-runner';

/**
 * Polls a runner: again at once after a round that filled a batch or was kicked meanwhile, after
 * `pollMs` otherwise, and at once when kicked.
 */
export class ProjectionLoop {
  private readonly logger = new Logger(ProjectionLoop.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = true;
  private again = false;
  private installed = false;

  constructor(
    private readonly runner: ProjectionRunner,
    private readonly pollMs: number,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** New events were stored: run soon rather than at the next poll. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) this.again = true;
    else this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delay: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.round(), delay);
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
        if (this.runner.hadFullBatch || this.again) next = 0;
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
