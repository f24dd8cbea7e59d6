import { ConfigError } from './config.errors';
import { contextDatabaseUrl, loadPlatformConfig } from './platform.config';

describe('loadPlatformConfig', () => {
  it('fills safe defaults for a bare environment: production, no migrations on start', () => {
    const config = loadPlatformConfig({});
    expect(config).toMatchObject({ PORT: 3000, HOST: '127.0.0.1', NODE_ENV: 'production', migrationsRun: false });
    expect(loadPlatformConfig({ NODE_ENV: 'development' }).migrationsRun).toBe(true);
    expect(config.DATABASE_URL).toBeUndefined();
  });

  it('does not run migrations on start in production unless asked', () => {
    expect(loadPlatformConfig({ NODE_ENV: 'production' }).migrationsRun).toBe(false);
    expect(loadPlatformConfig({ NODE_ENV: 'production', MIGRATIONS_RUN: 'true' }).migrationsRun).toBe(true);
  });

  it('names the variable and the bad value in one line', () => {
    expect(() => loadPlatformConfig({ PORT: 'eighty' })).toThrow(
      new ConfigError('Invalid configuration: PORT: expected an integer from 0 to 65535 (got "eighty")'),
    );
  });

  it('never echoes the value of a URL, which may hold a password', () => {
    let message = '';
    try {
      loadPlatformConfig({ DATABASE_URL: 'mysql://user:s3cret@db/x' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('DATABASE_URL');
    expect(message).not.toContain('s3cret');
  });

  it('rejects an unknown log level and a bad boolean', () => {
    expect(() => loadPlatformConfig({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL/);
    expect(() => loadPlatformConfig({ MIGRATIONS_RUN: 'maybe' })).toThrow(/MIGRATIONS_RUN: expected true or false/);
  });

  it('treats an empty variable as unset', () => {
    expect(loadPlatformConfig({ PORT: '' }).PORT).toBe(3000);
  });

  it('splits CORS origins', () => {
    expect(loadPlatformConfig({ CORS_ORIGINS: 'https://a.example, https://b.example' }).CORS_ORIGINS).toEqual(['https://a.example', 'https://b.example']);
  });

  it('lets a context use its own database', () => {
    expect(contextDatabaseUrl('catalog', { CATALOG_DATABASE_URL: 'postgres://c@h/db' })).toBe('postgres://c@h/db');
    expect(contextDatabaseUrl('catalog', {})).toBeUndefined();
  });
});
