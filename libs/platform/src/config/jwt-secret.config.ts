import { ConfigError } from './config.errors';

/** The key development and test use when JWT_SECRET is unset; never accepted in production. */
const DEVELOPMENT_JWT_SECRET = 'development-only-jwt-secret-never-use-in-production';

/** Whether NODE_ENV allows development defaults (secrets, the development admin). */
export function allowsDevelopmentDefaults(nodeEnv: string): boolean {
  return nodeEnv === 'development' || nodeEnv === 'test';
}

/** The HMAC key identity signs with and the edge verifies with: required outside development. */
export function resolveJwtSecret(nodeEnv: string, secret: string | undefined): string {
  if (secret) return secret;
  if (!allowsDevelopmentDefaults(nodeEnv)) throw new ConfigError('Invalid configuration: JWT_SECRET: required outside development (it is missing)');
  return DEVELOPMENT_JWT_SECRET;
}
