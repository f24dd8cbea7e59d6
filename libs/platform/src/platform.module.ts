import { DynamicModule, Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { loadPlatformConfig, PLATFORM_CONFIG } from './config/platform.config';
import { GracefulShutdown } from './health/graceful-shutdown';
import { HealthController } from './health/health.controller';
import { ReadinessRegistry } from './health/readiness.registry';
import { MetricsController } from './metrics/metrics.controller';
import { MetricsRegistry } from './metrics/metrics.registry';
import { DatabaseRegistry } from './persistence/database.registry';
import { MicroserviceRegistry } from './http/microservice.registry';

/** Config, health, metrics, shutdown and the database registry every app needs. */
@Global()
@Module({})
export class PlatformModule {
  static forRoot(): DynamicModule {
    return {
      module: PlatformModule,
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: PLATFORM_CONFIG, useFactory: () => loadPlatformConfig() },
        ReadinessRegistry,
        GracefulShutdown,
        DatabaseRegistry,
        MetricsRegistry,
        MicroserviceRegistry,
      ],
      exports: [PLATFORM_CONFIG, ReadinessRegistry, DatabaseRegistry, TerminusModule, MetricsRegistry, MicroserviceRegistry],
    };
  }
}
