import { Controller, Get, Inject, OnModuleInit } from '@nestjs/common';
import { ApiExcludeController, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { DatabaseRegistry } from '../persistence/database.registry';
import { Public } from '../http/public-route.decorator';
import { ReadinessRegistry } from './readiness.registry';

/** Liveness and readiness probes for orchestrators and load balancers (not part of the API document). */
@ApiTags('health')
@ApiExcludeController()
@Public()
@Controller('health')
export class HealthController implements OnModuleInit {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicator: HealthIndicatorService,
    private readonly readiness: ReadinessRegistry,
    @Inject(DatabaseRegistry) private readonly databases: DatabaseRegistry,
  ) {}

  onModuleInit(): void {
    this.readiness.add(async () => {
      const check = this.indicator.check('shutdown');
      return this.readiness.isDraining() ? check.down({ message: 'shutting down' }) : check.up();
    });
    this.readiness.add(() => this.checkDatabases());
  }

  @Get('live')
  @ApiOperation({ summary: 'The process is up (no dependency is checked; stays up while draining)' })
  @ApiOkResponse({ schema: { example: { status: 'ok' } } })
  live(): { status: 'ok' } {
    // Not a Terminus check: Terminus fails every check once shutdown begins, and a draining
    // process must not be restarted by its liveness probe.
    return { status: 'ok' };
  }

  @Get('ready')
  @HealthCheck()
  @ApiOperation({ summary: 'Ready for traffic: databases reachable, migrations applied, not shutting down' })
  ready() {
    return this.health.check(this.readiness.all().map((check) => () => check()));
  }

  private async checkDatabases() {
    const results = await Promise.all(
      this.databases.all().map(async ({ definition, dataSource }) => {
        const check = this.indicator.check(`database:${definition.context}`);
        try {
          await dataSource.query('SELECT 1');
          const pending = await dataSource.showMigrations();
          return pending ? check.down({ message: 'migrations pending' }) : check.up();
        } catch (error) {
          return check.down({ message: error instanceof Error ? error.message : 'unreachable' });
        }
      }),
    );
    return Object.assign({}, ...results);
  }
}
