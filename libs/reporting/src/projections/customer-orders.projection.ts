import { OrderCancelled, OrderConfirmed, OrderPlaced, OrderRejected, ShipmentCreated } from '@commerce/contracts';
import { ProjectedEvent, ProjectionDefinition, ProjectionScope } from '@commerce/projections';

const STATUS: Record<string, string> = {
  [OrderPlaced.type]: 'PLACED',
  [OrderConfirmed.type]: 'CONFIRMED',
  [OrderRejected.type]: 'REJECTED',
  [OrderCancelled.type]: 'CANCELLED',
};

/** How far along each status shown here is; the final ones share the top rank. */
export const STATUS_RANK: Readonly<Record<string, number>> = { PLACED: 0, SHIPPING: 1, CONFIRMED: 2, REJECTED: 2, CANCELLED: 2 };

/**
 * The status an order keeps when `next` is read after `current`: events of different contexts
 * may be read in any order, so a row never goes back (a final status is never replaced by PLACED).
 */
export function furthestStatus(current: string | undefined, next: string): string {
  if (current === undefined) return next;
  return (STATUS_RANK[next] ?? 0) >= (STATUS_RANK[current] ?? 0) ? next : current;
}

// The same rule as furthestStatus, in SQL; the ranks are constants of this file, not input.
const rankOf = (column: string) =>
  `(CASE ${column} ${Object.entries(STATUS_RANK)
    .map(([k, r]) => `WHEN '${k}' THEN ${r}`)
    .join(' ')} ELSE 0 END)`;
const keepFurthest = (t: string) => `CASE WHEN ${rankOf('EXCLUDED.status')} >= ${rankOf(`${t}.status`)} THEN EXCLUDED.status ELSE ${t}.status END`;

async function onOrderEvent(e: ProjectedEvent, s: ProjectionScope): Promise<void> {
  const t = s.table('customer_orders');
  const total = e.data.total as { amount: number; currency: string };
  await s.manager.query(
    `INSERT INTO ${t} (order_id, customer_id, status, total_amount, currency, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (order_id) DO UPDATE SET customer_id = EXCLUDED.customer_id, status = ${keepFurthest(t)},
         total_amount = EXCLUDED.total_amount, currency = EXCLUDED.currency, updated_at = GREATEST(${t}.updated_at, EXCLUDED.updated_at)`,
    [e.data.orderId, e.data.customerId, STATUS[e.type], total.amount, total.currency, e.recordedAt.toISOString()],
  );
}

async function onShipped(e: ProjectedEvent, s: ProjectionScope): Promise<void> {
  const t = s.table('customer_orders');
  // The shipment may be read before the order's outcome: the row waits for its customer.
  await s.manager.query(
    `INSERT INTO ${t} (order_id, status, tracking_number, updated_at) VALUES ($1, 'SHIPPING', $2, $3)
       ON CONFLICT (order_id) DO UPDATE SET tracking_number = EXCLUDED.tracking_number, updated_at = GREATEST(${t}.updated_at, EXCLUDED.updated_at)`,
    [e.data.orderId, e.data.trackingNumber, e.recordedAt.toISOString()],
  );
}

/** Each customer's orders from the moment they are placed, with their outcome and tracking number. */
export const customerOrdersProjection: ProjectionDefinition = {
  name: 'customer_orders',
  tables: [
    {
      name: 'customer_orders',
      create: (t) => [
        `CREATE TABLE ${t} (order_id uuid PRIMARY KEY, customer_id text, status text NOT NULL, total_amount bigint, currency char(3),
           tracking_number text, updated_at timestamptz NOT NULL)`,
        `CREATE INDEX ON ${t} (customer_id, updated_at DESC)`,
      ],
    },
  ],
  handlers: {
    [OrderPlaced.type]: onOrderEvent,
    [OrderConfirmed.type]: onOrderEvent,
    [OrderRejected.type]: onOrderEvent,
    [OrderCancelled.type]: onOrderEvent,
    [ShipmentCreated.type]: onShipped,
  },
};
