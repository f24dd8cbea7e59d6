import { existsSync } from 'node:fs';
import { z } from 'zod';
import { env, loadConfig } from './load-config';

/** The variables this namespace reads, with their rules and defaults. */
export const platformConfigSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production'], { message: 'expected development, test or production' }).default('production'),
  HOST: z.string().default('127.0.0.1'),
  PORT: env.int(0, 65535).default(3000),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { message: 'expected fatal, error, warn, info, debug, trace or silent' })
    .default('info'),
  LOG_PRETTY: z.enum(['auto', 'true', 'false'], { message: 'expected auto, true or false' }).default('auto'),
  DATABASE_URL: env.url(['postgres', 'postgresql']).optional(),
  DATA_DIR: z.string().default('.data'),
  DB_POOL_SIZE: env.int(1, 200).default(10),
  DB_PREPARED_STATEMENTS: env.int(0, 10_000).default(256),
  MIGRATIONS_RUN: env.bool().optional(),
  CORS_ORIGINS: env.list().default([]),
  BODY_LIMIT_BYTES: env.int(1024, 50 * 1024 * 1024).default(1024 * 1024),
  SHUTDOWN_GRACE_MS: env.int(0, 120_000).default(0),
  BUS_REQUEST_TIMEOUT_MS: env.int(10, 120_000).default(5000),
  SWAGGER_ENABLED: env.bool().default(true),
  PUBLIC_URL: env.url(['http', 'https']).optional(),
});

/** Settings every app shares: HTTP, logging, database, shutdown, bus timeouts. */
export type PlatformConfig = z.infer<typeof platformConfigSchema> & { migrationsRun: boolean };

/** Reads the platform namespace from the environment; throws ConfigError naming the bad variable. */
export function loadPlatformConfig(source: Record<string, string | undefined> = process.env): PlatformConfig {
  const parsed = loadConfig(platformConfigSchema, source);
  return { ...parsed, migrationsRun: parsed.MIGRATIONS_RUN ?? parsed.NODE_ENV !== 'production' };
}

/** Returns `<CONTEXT>_DATABASE_URL` when set, so a context can live in its own database. */
export function contextDatabaseUrl(context: string, source: Record<string, string | undefined> = process.env): string | undefined {
  const name = `${context.toUpperCase()}_DATABASE_URL`;
  return loadConfig(z.object({ [name]: env.url(['postgres', 'postgresql']).optional() }), source)[name];
}

/** Nest injection token for PlatformConfig. */
export const PLATFORM_CONFIG = Symbol('PLATFORM_CONFIG');

/** Loads `./.env` into the environment when it exists; variables already set win. */
export function loadDotEnvFile(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}
