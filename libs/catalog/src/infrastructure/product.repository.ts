import { Injectable } from '@nestjs/common';
import type { ProductView } from '@commerce/contracts';
import { GroupCommit } from '@commerce/messaging';
import { InjectDataSource, PreparedRead } from '@commerce/platform';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { SkuTakenError } from '../domain/catalog.errors';
import { Money } from '../domain/money.value-object';
import { PRODUCT_COLUMNS, ProductRow, toProductView } from './product.mapper';

/** Fields a new product needs. */
export interface NewProduct {
  id: string;
  sku: string;
  name: string;
  description: string;
  category: string;
  price: Money;
}

/** Filter and page of a product listing. */
export interface ProductFilter {
  query?: string;
  category?: string;
  limit: number;
  offset: number;
}

/** The read behind every product page and order line: prepared once per connection. */
const PRODUCT_BY_ID = new PreparedRead<ProductRow>('catalog.product-by-id', `SELECT ${PRODUCT_COLUMNS} FROM catalog.product WHERE id = $1`);

/** Reads and writes catalog.product with parameterised SQL. */
@Injectable()
export class ProductRepository {
  /**
   * Reads by ids of concurrent callers share one statement: the first goes at once, those asked
   * while it runs go together in the next (the group mechanism of the writes). Every order
   * placement prices its lines here, so under load this was one round trip per order.
   */
  private readonly byIds = new GroupCommit<string[], ProductView[]>((groups) => this.readGroups(groups));

  constructor(@InjectDataSource('catalog') private readonly dataSource: DataSource) {}

  /** Inserts the product and its stock row; a taken SKU is a SkuTakenError. */
  async insert(product: NewProduct, initialStock: number, manager: EntityManager): Promise<ProductView> {
    try {
      const rows = (await manager.query(
        `INSERT INTO catalog.product (id, sku, name, description, category, price_amount, price_currency)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${PRODUCT_COLUMNS}`,
        [product.id, product.sku, product.name, product.description, product.category, product.price.amount, product.price.currency],
      )) as ProductRow[];
      await manager.query(`INSERT INTO catalog.stock (product_id, available) VALUES ($1, $2)`, [product.id, initialStock]);
      return toProductView(rows[0]);
    } catch (error) {
      if (error instanceof QueryFailedError && (error.driverError as { code?: string }).code === '23505') throw new SkuTakenError(product.sku);
      throw error;
    }
  }

  async findById(id: string): Promise<ProductView | undefined> {
    const [row] = await PRODUCT_BY_ID.rows(this.dataSource, [id]);
    return row ? toProductView(row) : undefined;
  }

  /** The products with these ids, in the order asked, each once; ids no product has are left out. */
  findByIds(ids: string[]): Promise<ProductView[]> {
    return ids.length === 0 ? Promise.resolve([]) : this.byIds.submit(ids);
  }

  private async readGroups(groups: string[][]): Promise<ProductView[][]> {
    const ids = [...new Set(groups.flat())];
    const rows = (await this.dataSource.query(`SELECT ${PRODUCT_COLUMNS} FROM catalog.product WHERE id = ANY($1::uuid[])`, [ids])) as ProductRow[];
    const byId = new Map(rows.map((row) => [row.id, row]));
    return groups.map((group) => {
      const asked = new Map<string, ProductRow>(); // each product once, in the order first asked
      // Postgres writes a uuid in lower case, whatever case it was asked in.
      for (const id of group) {
        const row = byId.get(id.toLowerCase());
        if (row) asked.set(row.id, row);
      }
      return [...asked.values()].map(toProductView);
    });
  }

  /** Writes changed fields and bumps the version; undefined when the product does not exist. */
  async update(id: string, changes: { name?: string; description?: string; category?: string; price?: Money }): Promise<ProductView | undefined> {
    const rows = (await this.dataSource.query(
      `UPDATE catalog.product SET
         name = COALESCE($2, name),
         description = COALESCE($3, description),
         category = COALESCE($4, category),
         price_amount = COALESCE($5, price_amount),
         price_currency = COALESCE($6, price_currency),
         version = version + 1,
         updated_at = now()
       WHERE id = $1 RETURNING ${PRODUCT_COLUMNS}`,
      [id, changes.name ?? null, changes.description ?? null, changes.category ?? null, changes.price?.amount ?? null, changes.price?.currency ?? null],
    )) as [ProductRow[], number];
    const [updated] = rows[0];
    return updated ? toProductView(updated) : undefined;
  }

  /** A page of products, best text matches first when searching, with the total count. */
  async list(filter: ProductFilter): Promise<{ items: ProductView[]; total: number }> {
    const params: unknown[] = [];
    const where: string[] = [];
    if (filter.category) {
      params.push(filter.category);
      where.push(`category = $${params.length}`);
    }
    let order = 'name, id';
    if (filter.query) {
      params.push(filter.query);
      const q = `$${params.length}`;
      params.push(`%${filter.query.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
      where.push(`(search @@ websearch_to_tsquery('simple', ${q}) OR name ILIKE $${params.length})`);
      order = `ts_rank(search, websearch_to_tsquery('simple', ${q})) DESC, name, id`;
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const page = [...params, filter.limit, filter.offset];
    const [rows, count] = await Promise.all([
      this.dataSource.query(
        `SELECT ${PRODUCT_COLUMNS} FROM catalog.product ${clause} ORDER BY ${order} LIMIT $${page.length - 1} OFFSET $${page.length}`,
        page,
      ) as Promise<ProductRow[]>,
      this.dataSource.query(`SELECT count(*)::int AS total FROM catalog.product ${clause}`, params) as Promise<{ total: number }[]>,
    ]);
    return { items: rows.map(toProductView), total: count[0].total };
  }
}
