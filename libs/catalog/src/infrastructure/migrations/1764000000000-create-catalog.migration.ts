import { MigrationInterface, QueryRunner } from 'typeorm';

/** Products with full-text search, stock counters, reservations per order, and an adjustment log. */
export class CreateCatalog1764000000000 implements MigrationInterface {
  name = 'CreateCatalog1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE catalog.product (
        id uuid PRIMARY KEY,
        sku text NOT NULL UNIQUE,
        name text NOT NULL,
        description text NOT NULL DEFAULT '',
        category text NOT NULL,
        price_amount bigint NOT NULL CHECK (price_amount >= 0),
        price_currency char(3) NOT NULL,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        search tsvector GENERATED ALWAYS AS (
          setweight(to_tsvector('simple', name), 'A') || setweight(to_tsvector('simple', description), 'B')
        ) STORED
      )`);
    await q.query(`CREATE INDEX product_category_name_idx ON catalog.product (category, name, id)`);
    await q.query(`CREATE INDEX product_name_idx ON catalog.product (name, id)`);
    await q.query(`CREATE INDEX product_search_idx ON catalog.product USING gin (search)`);
    await q.query(`
      CREATE TABLE catalog.stock (
        product_id uuid PRIMARY KEY REFERENCES catalog.product (id),
        available bigint NOT NULL CHECK (available >= 0),
        reserved bigint NOT NULL DEFAULT 0 CHECK (reserved >= 0),
        committed bigint NOT NULL DEFAULT 0 CHECK (committed >= 0),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE catalog.reservation (
        order_id uuid PRIMARY KEY,
        status text NOT NULL CHECK (status IN ('PENDING', 'RESERVED', 'REJECTED', 'RELEASED', 'COMMITTED')),
        shortages jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE catalog.reservation_line (
        order_id uuid NOT NULL REFERENCES catalog.reservation (order_id) ON DELETE CASCADE,
        product_id uuid NOT NULL REFERENCES catalog.product (id),
        quantity integer NOT NULL CHECK (quantity > 0),
        PRIMARY KEY (order_id, product_id)
      )`);
    await q.query(`
      CREATE TABLE catalog.stock_adjustment (
        id bigserial PRIMARY KEY,
        product_id uuid NOT NULL REFERENCES catalog.product (id),
        message_id uuid UNIQUE,
        delta bigint NOT NULL,
        reason text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE catalog.stock_adjustment, catalog.reservation_line, catalog.reservation, catalog.stock, catalog.product`);
  }
}
