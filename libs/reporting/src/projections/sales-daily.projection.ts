import { OrderConfirmed, PaymentRefunded } from '@commerce/contracts';
import { ProjectedEvent, ProjectionDefinition, ProjectionScope } from '@commerce/projections';

interface Line {
  productId: string;
  quantity: number;
  unitPrice: { amount: number; currency: string };
}

const dayOf = `(($1::timestamptz) AT TIME ZONE 'UTC')::date`;

async function addToDay(s: ProjectionScope, at: Date, productId: string, currency: string, units: number, revenue: number, refunds: number): Promise<void> {
  const t = s.table('sales_daily');
  await s.manager.query(
    `INSERT INTO ${t} (day, product_id, currency, units, revenue, refunds) VALUES (${dayOf}, $2, $3, $4, $5, $6)
       ON CONFLICT (day, product_id, currency) DO UPDATE
       SET units = ${t}.units + EXCLUDED.units, revenue = ${t}.revenue + EXCLUDED.revenue, refunds = ${t}.refunds + EXCLUDED.refunds`,
    [at.toISOString(), productId, currency, units, revenue, refunds],
  );
}

/** Splits a refund over an order's lines by their value; the last line takes the rounding rest. */
export function allocate(amount: number, lines: Line[]): number[] {
  const values = lines.map((l) => l.quantity * l.unitPrice.amount);
  const total = values.reduce((a, b) => a + b, 0);
  if (total === 0) return values.map((_, i) => (i === values.length - 1 ? amount : 0));
  // BigInt: amount × value can pass 2^53 for large orders.
  const shares = values.map((v) => Number((BigInt(amount) * BigInt(v)) / BigInt(total)));
  shares[shares.length - 1] += amount - shares.reduce((a, b) => a + b, 0);
  return shares;
}

async function onConfirmed(e: ProjectedEvent, s: ProjectionScope): Promise<void> {
  const lines = (e.data.lines ?? []) as Line[];
  const claimed = (await s.manager.query(`INSERT INTO ${s.table('sales_order')} (order_id, lines) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING order_id`, [
    e.data.orderId,
    JSON.stringify(lines),
  ])) as unknown[];
  if (claimed.length === 0) return;
  for (const l of lines) await addToDay(s, e.recordedAt, l.productId, l.unitPrice.currency, l.quantity, l.quantity * l.unitPrice.amount, 0);
}

async function onRefunded(e: ProjectedEvent, s: ProjectionScope): Promise<void> {
  const [order] = (await s.manager.query(`SELECT lines FROM ${s.table('sales_order')} WHERE order_id = $1`, [e.data.orderId])) as { lines: Line[] }[];
  // Money given back for an order that never confirmed was never counted as revenue.
  if (!order || order.lines.length === 0) return;
  const amount = (e.data.amount as { amount: number }).amount;
  const shares = allocate(amount, order.lines);
  for (const [i, l] of order.lines.entries()) await addToDay(s, e.recordedAt, l.productId, l.unitPrice.currency, 0, 0, shares[i]);
}

/** Sales per product per UTC day: units and revenue of confirmed orders, refunds given back on them. */
export const salesDailyProjection: ProjectionDefinition = {
  name: 'sales_daily',
  tables: [
    {
      name: 'sales_daily',
      create: (t) => [
        `CREATE TABLE ${t} (day date NOT NULL, product_id uuid NOT NULL, currency char(3) NOT NULL, units bigint NOT NULL,
           revenue bigint NOT NULL, refunds bigint NOT NULL, PRIMARY KEY (day, product_id, currency))`,
      ],
    },
    { name: 'sales_order', create: (t) => [`CREATE TABLE ${t} (order_id uuid PRIMARY KEY, lines jsonb NOT NULL)`] },
  ],
  handlers: { [OrderConfirmed.type]: onConfirmed, [PaymentRefunded.type]: onRefunded },
};
