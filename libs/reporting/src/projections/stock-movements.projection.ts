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

/** The same rows as `onMovement` event by event, for a whole batch in one statement. */
async function onMovements(events: ProjectedEvent[], s: ProjectionScope): Promise<void> {
  const rows = events.flatMap((e) => (e.data.lines as { productId: string; quantity: number }[]).map((l, i) => ({ e, l, i })));
  if (rows.length === 0) return;
  await s.manager.query(
    `INSERT INTO ${s.table('stock_movements')} (position, line, product_id, order_id, kind, quantity, at)
     SELECT * FROM unnest($1::bigint[], $2::int[], $3::uuid[], $4::uuid[], $5::text[], $6::int[], $7::timestamptz[])`,
    [
      rows.map((r) => r.e.position),
      rows.map((r) => r.i),
      rows.map((r) => r.l.productId),
      rows.map((r) => r.e.data.orderId),
      rows.map((r) => KIND[r.e.type]),
      rows.map((r) => r.l.quantity),
      rows.map((r) => r.e.recordedAt.toISOString()),
    ],
  );
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
  applyBatch: onMovements,
};
