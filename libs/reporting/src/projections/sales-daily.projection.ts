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

/** One addition to a day's row, as `addToDay` makes it. */
interface DayDelta {
  at: Date;
  productId: string;
  currency: string;
  units: number;
  revenue: number;
  refunds: number;
}

/** Adds many deltas with one statement: summed per row first (a statement may touch a row once), and sums commute. */
async function addToDays(s: ProjectionScope, deltas: DayDelta[]): Promise<void> {
  if (deltas.length === 0) return;
  const t = s.table('sales_daily');
  await s.manager.query(
    `INSERT INTO ${t} (day, product_id, currency, units, revenue, refunds)
     SELECT (d.at AT TIME ZONE 'UTC')::date, d.product_id, d.currency::char(3), sum(d.units), sum(d.revenue), sum(d.refunds)
       FROM unnest($1::timestamptz[], $2::uuid[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[]) AS d(at, product_id, currency, units, revenue, refunds)
      GROUP BY 1, 2, 3
     ON CONFLICT (day, product_id, currency) DO UPDATE
     SET units = ${t}.units + EXCLUDED.units, revenue = ${t}.revenue + EXCLUDED.revenue, refunds = ${t}.refunds + EXCLUDED.refunds`,
    [
      deltas.map((d) => d.at.toISOString()),
      deltas.map((d) => d.productId),
      deltas.map((d) => d.currency),
      deltas.map((d) => d.units),
      deltas.map((d) => d.revenue),
      deltas.map((d) => d.refunds),
    ],
  );
}

const revenueOf = (at: Date, lines: Line[]): DayDelta[] =>
  lines.map((l) => ({ at, productId: l.productId, currency: l.unitPrice.currency, units: l.quantity, revenue: l.quantity * l.unitPrice.amount, refunds: 0 }));

/**
 * The same rows as `onConfirmed` and `onRefunded` event by event, for a whole batch. An order is
 * claimed by its first OrderConfirmed (the later ones are no-ops, as one by one); a refund sees
 * the lines of an order claimed before this batch, or by a confirmation earlier in it. Without
 * refunds, claims and revenue go in one statement; with them, the claims also read the lines of
 * the refunded orders, and the day rows follow in a second statement.
 */
async function onSales(events: ProjectedEvent[], s: ProjectionScope): Promise<void> {
  const key = (e: ProjectedEvent) => String(e.data.orderId).toLowerCase();
  const firstConfirms = new Map<string, ProjectedEvent>();
  for (const e of events) if (e.type === OrderConfirmed.type && !firstConfirms.has(key(e))) firstConfirms.set(key(e), e);
  const claims = [...firstConfirms.values()];
  const refunds = events.filter((e) => e.type === PaymentRefunded.type);
  const linesOf = (e: ProjectedEvent) => (e.data.lines ?? []) as Line[];
  const claimsParams = [claims.map((e) => e.data.orderId), claims.map((e) => JSON.stringify(linesOf(e)))];
  const claimed = `claimed AS (
       INSERT INTO ${s.table('sales_order')} (order_id, lines) SELECT c.order_id, c.lines::jsonb FROM unnest($1::uuid[], $2::text[]) AS c(order_id, lines)
       ON CONFLICT DO NOTHING RETURNING order_id
     )`;
  if (refunds.length === 0) {
    const lines = claims.flatMap((e) => revenueOf(e.recordedAt, linesOf(e)).map((d) => ({ ...d, orderId: e.data.orderId })));
    const t = s.table('sales_daily');
    await s.manager.query(
      `WITH ${claimed}
       INSERT INTO ${t} (day, product_id, currency, units, revenue, refunds)
       SELECT (d.at AT TIME ZONE 'UTC')::date, d.product_id, d.currency::char(3), sum(d.units), sum(d.revenue), 0
         FROM unnest($3::uuid[], $4::timestamptz[], $5::uuid[], $6::text[], $7::bigint[], $8::bigint[]) AS d(order_id, at, product_id, currency, units, revenue)
         JOIN claimed c ON c.order_id = d.order_id
        GROUP BY 1, 2, 3
       ON CONFLICT (day, product_id, currency) DO UPDATE
       SET units = ${t}.units + EXCLUDED.units, revenue = ${t}.revenue + EXCLUDED.revenue, refunds = ${t}.refunds + EXCLUDED.refunds`,
      [
        ...claimsParams,
        lines.map((d) => d.orderId),
        lines.map((d) => d.at.toISOString()),
        lines.map((d) => d.productId),
        lines.map((d) => d.currency),
        lines.map((d) => d.units),
        lines.map((d) => d.revenue),
      ],
    );
    return;
  }
  // The lines read are those before this statement: orders claimed by earlier batches.
  const rows = (await s.manager.query(
    `WITH ${claimed}
     SELECT 'claimed' AS kind, order_id::text AS order_id, NULL::jsonb AS lines FROM claimed
     UNION ALL
     SELECT 'earlier', order_id::text, lines FROM ${s.table('sales_order')} WHERE order_id = ANY($3::uuid[])`,
    [...claimsParams, refunds.map((e) => e.data.orderId)],
  )) as { kind: 'claimed' | 'earlier'; order_id: string; lines: Line[] | null }[];
  const won = new Set(rows.filter((r) => r.kind === 'claimed').map((r) => r.order_id));
  const known = new Map(rows.filter((r) => r.kind === 'earlier').map((r) => [r.order_id, r.lines!]));
  const deltas: DayDelta[] = [];
  for (const e of events) {
    if (e.type === OrderConfirmed.type) {
      if (firstConfirms.get(key(e)) !== e || !won.has(key(e))) continue;
      // What a refund later in this batch reads back: the lines as stored (JSON).
      known.set(key(e), JSON.parse(JSON.stringify(linesOf(e))) as Line[]);
      deltas.push(...revenueOf(e.recordedAt, linesOf(e)));
      continue;
    }
    const lines = known.get(key(e));
    // Money given back for an order that never confirmed was never counted as revenue.
    if (!lines || lines.length === 0) continue;
    const shares = allocate((e.data.amount as { amount: number }).amount, lines);
    lines.forEach((l, i) =>
      deltas.push({ at: e.recordedAt, productId: l.productId, currency: l.unitPrice.currency, units: 0, revenue: 0, refunds: shares[i] }),
    );
  }
  await addToDays(s, deltas);
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
  applyBatch: onSales,
};
