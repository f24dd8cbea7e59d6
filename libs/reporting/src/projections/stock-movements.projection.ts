import { StockCommitted, StockReleased, StockReserved } from '@commerce/contracts';
import { ProjectedEvent, ProjectionDefinition, ProjectionScope } from '@commerce/projections';

const KIND: Record<string, string> = { [StockReserved.type]: 'reserved', [StockCommitted.type]: 'committed', [StockReleased.type]: 'released' };

async function onMovement(e: ProjectedEvent, s: ProjectionScope): Promise<void> {
  const lines = e.data.lines as { productId: string; quantity: number }[];
  for (const [i, l] of lines.entries()) {
    await s.manager.query(
      `INSERT INTO ${s.table('stock_movements')} (position, line, product_id, order_id, kind, quantity, at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [e.position, i, l.productId, e.data.orderId, KIND[e.type], l.quantity, e.recordedAt.toISOString()],
    );
  }
}

/** Every reservation, commit and release of stock, per product and order. */
export const stockMovementsProjection: ProjectionDefinition = {
  name: 'stock_movements',
  tables: [
    {
      name: 'stock_movements',
      create: (t) => [
        `CREATE TABLE ${t} (position bigint NOT NULL, line integer NOT NULL, product_id uuid NOT NULL, order_id uuid NOT NULL,
           kind text NOT NULL, quantity integer NOT NULL, at timestamptz NOT NULL, PRIMARY KEY (position, line))`,
        `CREATE INDEX ON ${t} (product_id, at)`,
      ],
    },
  ],
  handlers: { [StockReserved.type]: onMovement, [StockCommitted.type]: onMovement, [StockReleased.type]: onMovement },
};
