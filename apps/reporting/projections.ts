import 'reflect-metadata';
import { ConfigError, contextDatabaseUrl, createContextDataSource, loadDotEnvFile, loadPlatformConfig } from '@commerce/platform';
import { ProjectionRunner } from '@commerce/projections';
import { REPORTING_EVENT_LOG, REPORTING_PROJECTIONS, reportingDatabase } from '@commerce/reporting';

const USAGE = 'usage: npm run projections -- status | rebuild <name> | retry <name>';

/**
 * `npm run projections -- rebuild <name>`: builds a new version beside the live one and switches
 * readers once it has caught up, working alongside any running reporting service (they share the
 * work through row locks). Needs REPORTING_DATABASE_URL or DATABASE_URL.
 */
async function main([command, name]: string[]): Promise<void> {
  loadDotEnvFile();
  const url = contextDatabaseUrl('reporting') ?? loadPlatformConfig().DATABASE_URL;
  if (!url) throw new ConfigError('REPORTING_DATABASE_URL or DATABASE_URL must point at the reporting database (the embedded one: use the admin route)');
  const dataSource = createContextDataSource(reportingDatabase, { url }, 2);
  await dataSource.initialize();
  try {
    const runner = new ProjectionRunner(dataSource, 'reporting', REPORTING_EVENT_LOG, REPORTING_PROJECTIONS);
    if (command === 'rebuild' && name) {
      const version = await runner.rebuild(name);
      const started = Date.now();
      process.stdout.write(`${name}: building version ${version}\n`);
      for (let round = 0; round < 1_000_000; round++) {
        await runner.tick();
        const live = (await runner.status()).find((s) => s.name === name && s.live);
        if (live?.version === version) break;
        const building = (await runner.status()).find((s) => s.name === name && s.version === version);
        if (!building) throw new Error(`version ${version} of ${name} disappeared`);
        if (building.state === 'failed') throw new Error(`${name} v${version} failed: ${building.reason}`);
      }
      process.stdout.write(`${name}: version ${version} is live (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
    } else if (command === 'retry' && name) {
      process.stdout.write(`${name}: ${await runner.retry(name)} version(s) resumed\n`);
    } else if (command === 'status') {
      for (const s of await runner.status()) process.stdout.write(`${JSON.stringify(s)}\n`);
    } else {
      throw new ConfigError(USAGE);
    }
  } finally {
    await dataSource.destroy();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
