import { DynamicModule, Inject, Logger, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { contextDatabaseUrl, PLATFORM_CONFIG, PlatformConfig } from '../config/platform.config';
import { ContextDatabase, createContextDataSource, migrateContext } from './context-database';
import { DatabaseRegistry } from './database.registry';
import { DatabaseTarget } from './embedded-postgres';

/** The injection token of a context's DataSource. */
export function dataSourceToken(context: string): string {
  return `DataSource:${context}`;
}

/** Injects the DataSource of the given context. */
export const InjectDataSource = (context: string) => Inject(dataSourceToken(context));

/** Resolves where a context's data lives: its own URL, the shared URL, or the embedded server. */
export async function resolveDatabaseTarget(context: string, config: PlatformConfig, registry: DatabaseRegistry): Promise<DatabaseTarget> {
  const url = contextDatabaseUrl(context) ?? config.DATABASE_URL;
  return url ? { url } : registry.embeddedTarget(config.DATA_DIR);
}

/** Gives a context its own DataSource on its own schema, migrated on start when configured. */
@Module({})
export class PersistenceModule {
  static forContext(definition: ContextDatabase): DynamicModule {
    const token = dataSourceToken(definition.context);
    return {
      module: PersistenceModule,
      providers: [
        {
          provide: token,
          inject: [PLATFORM_CONFIG, DatabaseRegistry],
          useFactory: async (config: PlatformConfig, registry: DatabaseRegistry): Promise<DataSource> => {
            const target = await resolveDatabaseTarget(definition.context, config, registry);
            const dataSource = createContextDataSource(definition, target, config.DB_POOL_SIZE, registry.statementNames(config.DB_PREPARED_STATEMENTS));
            await dataSource.initialize();
            registry.register({ definition, dataSource });
            if (config.migrationsRun) {
              const applied = await migrateContext(dataSource, definition);
              if (applied.length) new Logger('Persistence').log({ msg: 'migrations applied', context: definition.context, applied });
            }
            return dataSource;
          },
        },
      ],
      exports: [token],
    };
  }
}
