import { catalogConfigSchema } from '@commerce/catalog';
import { edgeConfigSchema } from '@commerce/edge';
import { identityConfigSchema } from '@commerce/identity';
import { grpcConfigSchema, messagingConfigSchema } from '@commerce/messaging';
import { notificationsConfigSchema } from '@commerce/notifications';
import { orderingConfigSchema } from '@commerce/ordering';
import { paymentsConfigSchema } from '@commerce/payments';
import { platformConfigSchema } from '@commerce/platform';
import { telemetryConfigSchema } from '@commerce/telemetry';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';

// No Docker engine runs on our machines, so the file itself is checked.
const ROOT = resolve(__dirname, '../..');
const compose = parse(readFileSync(resolve(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<
    string,
    {
      build?: unknown;
      image?: string;
      environment?: Record<string, string>;
      healthcheck?: { test?: unknown };
      depends_on?: Record<string, { condition: string }>;
    }
  >;
};
const appServices = Object.entries(compose.services).filter(([, s]) => s.build !== undefined);
const SCHEMAS = [
  platformConfigSchema,
  messagingConfigSchema,
  grpcConfigSchema,
  catalogConfigSchema,
  orderingConfigSchema,
  paymentsConfigSchema,
  notificationsConfigSchema,
  identityConfigSchema,
  edgeConfigSchema,
  telemetryConfigSchema,
];
const KNOWN = new Set([...SCHEMAS.flatMap((schema) => Object.keys(schema.shape)), 'APP']);
const CONTEXT_URL = /^[A-Z]+_DATABASE_URL$/;

describe('docker-compose.yml', () => {
  it('has a service for every app in apps/', () => {
    const apps = readdirSync(resolve(ROOT, 'apps'));
    const served = appServices.map(([, s]) => s.environment?.APP);
    expect(served.sort()).toEqual(expect.arrayContaining(apps.sort()));
    for (const app of apps) expect(existsSync(resolve(ROOT, `apps/${app}/main.ts`))).toBe(true);
  });

  it('gives every service a healthcheck', () => {
    for (const [name, service] of Object.entries(compose.services))
      expect({ name, test: service.healthcheck?.test }).toEqual({ name, test: expect.anything() });
  });

  it('starts apps only after what they depend on is healthy', () => {
    for (const [name, service] of appServices) {
      const conditions = Object.values(service.depends_on ?? {}).map((d) => d.condition);
      expect({ name, conditions }).toEqual({ name, conditions: expect.arrayContaining(['service_healthy']) });
      expect(conditions.every((c) => c === 'service_healthy')).toBe(true);
    }
  });

  it('sets only variables the configuration schemas know, with values they accept', () => {
    for (const [name, service] of appServices) {
      const env = service.environment ?? {};
      const unknown = Object.keys(env).filter((k) => !KNOWN.has(k) && !CONTEXT_URL.test(k));
      expect({ name, unknown }).toEqual({ name, unknown: [] });
      const resolved = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v).replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1')]));
      expect(() =>
        platformConfigSchema.parse(Object.fromEntries(Object.entries(resolved).filter(([k, v]) => k in platformConfigSchema.shape && v !== ''))),
      ).not.toThrow();
      expect(() => messagingConfigSchema.parse(Object.fromEntries(Object.entries(resolved).filter(([k]) => k in messagingConfigSchema.shape)))).not.toThrow();
      expect(() => grpcConfigSchema.parse(Object.fromEntries(Object.entries(resolved).filter(([k]) => k in grpcConfigSchema.shape)))).not.toThrow();
    }
  });

  it("points gRPC callers at the catalog service's gRPC port", () => {
    const catalog = compose.services.catalog.environment!;
    for (const [name, service] of appServices)
      expect({ name, url: service.environment?.CATALOG_GRPC_URL }).toEqual({ name, url: `catalog:${catalog.GRPC_PORT}` });
  });

  it('builds from the one Dockerfile, as a non-root user, with production dependencies only', () => {
    const dockerfile = readFileSync(resolve(ROOT, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    expect(appServices.every(([, s]) => s.build === '.')).toBe(true);
  });
});
