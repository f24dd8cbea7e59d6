import { Type } from '@nestjs/common';
import { ConfigError } from '../config/config.errors';
import { loadDotEnvFile, loadPlatformConfig } from '../config/platform.config';
import { createLogger } from '../logging/logger';
import { createHttpApp } from './http-app.factory';
import { startApp } from './microservice.registry';

/** The whole `main.ts` of an HTTP app: validate config, build, listen; a bad config stops with one line. */
export async function runHttpApp(rootModule: Type<unknown>, title: string): Promise<void> {
  try {
    loadDotEnvFile();
    const config = loadPlatformConfig();
    const logger = createLogger({ level: config.LOG_LEVEL, pretty: config.LOG_PRETTY, nodeEnv: config.NODE_ENV, name: title });
    const app = await createHttpApp(rootModule, { title, config, logger });
    // Message handlers and servers beside HTTP (messaging, gRPC) start after init and before readiness can answer.
    await startApp(app);
    await app.listen({ port: config.PORT, host: config.HOST });
    logger.info({ url: await app.getUrl(), docs: config.SWAGGER_ENABLED ? `${await app.getUrl()}/docs` : undefined }, `${title} is listening`);
  } catch (error) {
    const cause = error instanceof ConfigError ? error : (error as { cause?: unknown })?.cause;
    if (cause instanceof ConfigError) {
      process.stderr.write(`${cause.message}\n`);
    } else {
      process.stderr.write(`${title} failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    }
    process.exit(1);
  }
}
