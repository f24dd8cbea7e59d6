import { allowsDevelopmentDefaults, ConfigError, env, loadConfig, resolveJwtSecret } from '@commerce/platform';
import { z } from 'zod';

/** The variables this namespace reads, with their rules and defaults. */
export const identityConfigSchema = z.object({
  NODE_ENV: z.string().default('production'),
  JWT_SECRET: z.string().min(32, 'expected at least 32 characters').optional(),
  JWT_ISSUER: z.string().default('commerce-kit'),
  ACCESS_TOKEN_TTL_S: env.int(30, 86_400).default(900),
  REFRESH_TOKEN_TTL_S: env.int(60, 365 * 86_400).default(30 * 86_400),
  ADMIN_EMAIL: z.email().optional(),
  ADMIN_PASSWORD: z.string().min(12, 'expected at least 12 characters').optional(),
});

/** Token signing and the first admin account. */
export type IdentityConfig = Omit<z.infer<typeof identityConfigSchema>, 'JWT_SECRET'> & { JWT_SECRET: string };

/** Reads the identity namespace; outside development the secret and the admin password must be given. */
export function loadIdentityConfig(source: Record<string, string | undefined> = process.env): IdentityConfig {
  const parsed = loadConfig(identityConfigSchema, source);
  const development = allowsDevelopmentDefaults(parsed.NODE_ENV);
  const secret = resolveJwtSecret(parsed.NODE_ENV, parsed.JWT_SECRET);
  if (parsed.ADMIN_EMAIL && !parsed.ADMIN_PASSWORD && !development)
    throw new ConfigError('Invalid configuration: ADMIN_PASSWORD: required with ADMIN_EMAIL outside development (it is missing)');
  return {
    ...parsed,
    JWT_SECRET: secret,
    ...(development && !parsed.ADMIN_EMAIL ? { ADMIN_EMAIL: 'admin@commerce-kit.local', ADMIN_PASSWORD: 'development-admin-password' } : {}),
  };
}

/** Nest injection token for IdentityConfig. */
export const IDENTITY_CONFIG = Symbol('IDENTITY_CONFIG');
