import { ConfigError } from '../config/config.errors';
import { contextDatabaseUrl, loadDotEnvFile, loadPlatformConfig } from '../config/platform.config';
import { ContextDatabase, createContextDataSource, migrateContext } from './context-database';
import { EmbeddedPostgres } from './embedded-postgres';

/** `npm run migrate`: applies every given context's pending migrations, then exits. */
export async function runMigrations(definitions: ContextDatabase[]): Promise<void> {
  let embedded: EmbeddedPostgres | undefined;
  try {
    loadDotEnvFile();
    const config = loadPlatformConfig();
    for (const definition of definitions) {
      const url = contextDatabaseUrl(definition.context) ?? config.DATABASE_URL;
      if (!url) embedded ??= await EmbeddedPostgres.start(config.DATA_DIR);
      const dataSource = createContextDataSource(definition, url ? { url } : embedded!.target(), 1);
      await dataSource.initialize();
      try {
        const applied = await migrateContext(dataSource, definition);
        process.stdout.write(`${definition.context}: ${applied.length ? `applied ${applied.join(', ')}` : 'up to date'}\n`);
      } finally {
        await dataSource.destroy();
      }
    }
  } catch (error) {
    process.stderr.write(`${error instanceof ConfigError ? error.message : `Migration failed: ${String(error)}`}\n`);
    process.exitCode = 1;
  } finally {
    await embedded?.stop();
  }
}
