import type { ProductView } from '@commerce/contracts';

/** A row of catalog.product as `pg` returns it (bigint as string). */
export interface ProductRow {
  id: string;
  sku: string;
  name: string;
  description: string;
  category: string;
  price_amount: string;
  price_currency: string;
  version: number;
  created_at: Date;
  updated_at: Date;
}

/** Row to wire view. */
export function toProductView(row: ProductRow): ProductView {
  return {
    id: row.id,
    sku: row.sku,
    name: row.name,
    description: row.description,
    category: row.category,
    price: { amount: Number(row.price_amount), currency: row.price_currency.trim() },
    version: row.version,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

/** The column list matching ProductRow. */
export const PRODUCT_COLUMNS = 'id, sku, name, description, category, price_amount, price_currency, version, created_at, updated_at';
