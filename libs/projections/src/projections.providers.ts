import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap, Provider } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { dataSourceToken, ReadinessRegistry } from '@commerce/platform';
import type { DataSource } from 'typeorm';
import { EventSource, ProjectionDefinition } from './projection';
import { ProjectionLoop } from './projection-loop';
import { ProjectionRunner } from './projection-runner';
import { loadProjectionsConfig, ProjectionsConfig } from './projections.config';

const PROJECTIONS_CONFIG = Symbol('PROJECTIONS_CONFIG');

/** Starts the loop with the app, stops it before the databases close, and reports lag as readiness details. */
@Injectable()
class ProjectionsLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    private readonly runner: ProjectionRunner,
    private readonly loop: ProjectionLoop,
    private readonly readiness: ReadinessRegistry,
    private readonly indicator: HealthIndicatorService,
    @Inject(PROJECTIONS_CONFIG) private readonly config: ProjectionsConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.PROJECTIONS === 'on') this.loop.start();
    // Lag and failures are shown, not fatal: a stale report must not take the service out of rotation.
    this.readiness.add(async () => {
      const check = this.indicator.check(`projections:${this.runner.schema}`);
      try {
        const projections = await this.runner.status();
        return check.up({
          projections: projections.map(({ name, version, state, position, eventsBehind, secondsBehind, reason }) => ({
            name,
            version,
            state,
            position,
            eventsBehind,
            secondsBehind,
            reason,
          })),
        });
      } catch (error) {
        return check.down({ message: (error as Error).message });
      }
    });
  }

  /** Before the DataSources close, so a round in flight finishes on an open connection. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }
}

/**
 * The providers that run a context's projections over one of its event tables: add them to the
 * context module. They expose ProjectionRunner (status, retry, rebuild) and ProjectionLoop (kick).
 */
export function projectionProviders(options: { context: string; source: EventSource; projections: ProjectionDefinition[] }): Provider[] {
  return [
    { provide: PROJECTIONS_CONFIG, useFactory: () => loadProjectionsConfig() },
    {
      provide: ProjectionRunner,
      inject: [dataSourceToken(options.context), PROJECTIONS_CONFIG],
      useFactory: (dataSource: DataSource, config: ProjectionsConfig) =>
        new ProjectionRunner(dataSource, options.context, options.source, options.projections, { batchSize: config.PROJECTION_BATCH_SIZE }),
    },
    {
      provide: ProjectionLoop,
      inject: [ProjectionRunner, PROJECTIONS_CONFIG],
      useFactory: (runner: ProjectionRunner, config: ProjectionsConfig) =>
        new ProjectionLoop(runner, config.PROJECTION_POLL_MS, config.PROJECTION_KICK_DELAY_MS),
    },
    ProjectionsLifecycle,
  ];
}
