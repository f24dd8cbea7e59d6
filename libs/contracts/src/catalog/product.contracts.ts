import { z } from 'zod';
import { defineCommand, defineQuery } from '../common/contract';
import { moneySchema } from '../common/money';

/** Limits shared by the edge DTOs and the message schemas. */
export const PRODUCT_LIMITS = { sku: 64, name: 200, description: 5000, category: 100, pageMax: 100, query: 200 } as const;

/** The fields of a product, with their rules; the edge validates with the same schemas. */
export const productFields = {
  sku: z
    .string()
    .trim()
    .min(1)
    .max(PRODUCT_LIMITS.sku)
    .regex(/^[A-Za-z0-9._-]+$/),
  name: z.string().trim().min(1).max(PRODUCT_LIMITS.name),
  description: z.string().max(PRODUCT_LIMITS.description),
  category: z.string().trim().min(1).max(PRODUCT_LIMITS.category),
  price: moneySchema,
};

/** A product as other contexts see it. */
export const productViewSchema = z.object({
  id: z.uuid(),
  ...productFields,
  version: z.number().int().min(1),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type ProductView = z.infer<typeof productViewSchema>;

/** Creates a product, optionally with opening stock. */
export const CreateProduct = defineCommand(
  'catalog.create-product.v1',
  z.strictObject({ ...productFields, description: productFields.description.default(''), initialStock: z.number().int().min(0).max(1_000_000_000).default(0) }),
  productViewSchema,
);

/** Changes some fields of a product. */
export const UpdateProduct = defineCommand(
  'catalog.update-product.v1',
  z.strictObject({
    id: z.uuid(),
    changes: z.strictObject({
      name: productFields.name.optional(),
      description: productFields.description.optional(),
      category: productFields.category.optional(),
      price: moneySchema.optional(),
    }),
  }),
  productViewSchema,
);

/** Reads one product. */
export const GetProduct = defineQuery('catalog.get-product.v1', z.strictObject({ id: z.uuid() }), productViewSchema);

/** Reads several products by id (unknown ids are left out). */
export const GetProducts = defineQuery(
  'catalog.get-products.v1',
  z.strictObject({ ids: z.array(z.uuid()).max(PRODUCT_LIMITS.pageMax) }),
  z.object({ items: z.array(productViewSchema) }),
);

/** Lists products, filtered by category and full-text query, a page at a time. */
export const ListProducts = defineQuery(
  'catalog.list-products.v1',
  z.strictObject({
    query: z.string().trim().min(1).max(PRODUCT_LIMITS.query).optional(),
    category: productFields.category.optional(),
    limit: z.number().int().min(1).max(PRODUCT_LIMITS.pageMax).default(20),
    offset: z.number().int().min(0).max(1_000_000).default(0),
  }),
  z.object({ items: z.array(productViewSchema), total: z.number().int().min(0), limit: z.number().int(), offset: z.number().int() }),
);
