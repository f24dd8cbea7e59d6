import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult } from '@nestjs/terminus';

/** A named readiness probe: resolves with its result, rejects or reports down when not ready. */
export type ReadinessCheck = () => Promise<HealthIndicatorResult>;

/** Where modules add what "ready" means for them (database, broker, outbox lag). */
@Injectable()
export class ReadinessRegistry {
  private readonly checks: ReadinessCheck[] = [];
  private draining = false;

  add(check: ReadinessCheck): void {
    this.checks.push(check);
  }

  all(): readonly ReadinessCheck[] {
    return this.checks;
  }

  /** Marks the process as leaving: readiness fails from now on, liveness does not. */
  startDraining(): void {
    this.draining = true;
  }

  isDraining(): boolean {
    return this.draining;
  }
}
