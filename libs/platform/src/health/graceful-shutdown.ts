import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { PLATFORM_CONFIG, PlatformConfig } from '../config/platform.config';
import { ReadinessRegistry } from './readiness.registry';

/** On SIGTERM: fail readiness first, give load balancers the grace period, then let Nest close. */
@Injectable()
export class GracefulShutdown implements BeforeApplicationShutdown {
  private readonly logger = new Logger(GracefulShutdown.name);

  constructor(
    private readonly readiness: ReadinessRegistry,
    @Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig,
  ) {}

  async beforeApplicationShutdown(signal?: string): Promise<void> {
    this.readiness.startDraining();
    this.logger.log({ msg: 'shutting down: readiness is down', signal, graceMs: this.config.SHUTDOWN_GRACE_MS });
    if (this.config.SHUTDOWN_GRACE_MS > 0) await sleep(this.config.SHUTDOWN_GRACE_MS);
  }
}
