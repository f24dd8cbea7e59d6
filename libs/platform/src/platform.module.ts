import { DynamicModule, Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { loadPlatformConfig, PLATFORM_CONFIG } from './config/platform.config';
import { GracefulShutdown } from './health/graceful-shutdown';
import { HealthController } from './health/health.controller';
import { ReadinessRegistry } from './health/readiness.registry';
import { DatabaseRegistry } from './persistence/database.registry';

/** Config, health, shutdown and the database registry every app needs. */
@Global()
@Module({})
export class PlatformModule {
  static forRoot(): DynamicModule {
    return {
      module: PlatformModule,
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [HealthController],
      providers: [{ provide: PLATFORM_CONFIG, useFactory: () => loadPlatformConfig() }, ReadinessRegistry, GracefulShutdown, DatabaseRegistry],
      exports: [PLATFORM_CONFIG, ReadinessRegistry, DatabaseRegistry, TerminusModule],
    };
  }
}
