import { env, loadConfig } from '@commerce/platform';
import { z } from 'zod';

/** The variables this namespace reads, with their rules and defaults. */
export const catalogConfigSchema = z.object({
  SEED_DEMO_CATALOG: env.bool().default(true),
});

/** Catalog settings. */
export type CatalogConfig = z.infer<typeof catalogConfigSchema>;

/** Reads the catalog namespace from the environment. */
export function loadCatalogConfig(source: Record<string, string | undefined> = process.env): CatalogConfig {
  return loadConfig(catalogConfigSchema, source);
}

/** Nest injection token for CatalogConfig. */
export const CATALOG_CONFIG = Symbol('CATALOG_CONFIG');
