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

/** What a run of events does to one order's row, whether the row exists before them or not. */
interface OrderFold {
  orderId: unknown;
  /** The row these events alone would insert. */
  insert: { customerId: unknown; status: string; amount: unknown; currency: unknown; tracking: unknown };
  /** The last order event's values and the furthest of their statuses (none: the row keeps its own). */
  order?: { customerId: unknown; amount: unknown; currency: unknown; status: string };
  /** The last shipment's tracking number (none: the row keeps its own). */
  shipped?: { tracking: unknown };
  updatedAt: Date;
}

/**
 * Folds a batch per order, in log order, into what `onOrderEvent` and `onShipped` would leave
 * applied one by one. Statuses fold with `furthestStatus`, which is associative (the last of the
 * highest rank wins), so the existing row's status can be folded with the batch's at the end.
 */
export function foldCustomerOrders(events: ProjectedEvent[]): OrderFold[] {
  const folds = new Map<string, OrderFold>();
  for (const e of events) {
    const key = String(e.data.orderId).toLowerCase();
    let f = folds.get(key);
    const shipped = e.type === ShipmentCreated.type;
    if (!f) {
      f = {
        orderId: e.data.orderId,
        insert: { customerId: null, status: shipped ? 'SHIPPING' : STATUS[e.type], amount: null, currency: null, tracking: null },
        updatedAt: e.recordedAt,
      };
      folds.set(key, f);
    } else if (!shipped) f.insert.status = furthestStatus(f.insert.status, STATUS[e.type]);
    if (e.recordedAt > f.updatedAt) f.updatedAt = e.recordedAt;
    if (shipped) {
      f.shipped = { tracking: e.data.trackingNumber ?? null };
      f.insert.tracking = f.shipped.tracking;
      continue;
    }
    const total = e.data.total as { amount: number; currency: string };
    const status = f.order ? furthestStatus(f.order.status, STATUS[e.type]) : STATUS[e.type];
    f.order = { customerId: e.data.customerId ?? null, amount: total.amount, currency: total.currency, status };
    Object.assign(f.insert, { customerId: f.order.customerId, amount: total.amount, currency: total.currency });
  }
  return [...folds.values()];
}

/** The same rows as the handlers event by event, for a whole batch in one statement. */
async function onOrderEvents(events: ProjectedEvent[], s: ProjectionScope): Promise<void> {
  const t = s.table('customer_orders');
  const folds = foldCustomerOrders(events);
  // Only this version's runner writes its table (it holds the checkpoint row), so the rows that
  // exist are updated and the others inserted, in one statement.
  await s.manager.query(
    `WITH i AS (
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::timestamptz[],
                            $8::boolean[], $9::text[], $10::text[], $11::bigint[], $12::text[], $13::boolean[], $14::text[])
         AS i(order_id, customer_id, status, total_amount, currency, tracking_number, updated_at,
              has_order, o_customer_id, o_status, o_total_amount, o_currency, has_shipped, s_tracking_number)
     ), updated AS (
       UPDATE ${t} AS r SET
         customer_id = CASE WHEN i.has_order THEN i.o_customer_id ELSE r.customer_id END,
         status = CASE WHEN i.has_order AND ${rankOf('i.o_status')} >= ${rankOf('r.status')} THEN i.o_status ELSE r.status END,
         total_amount = CASE WHEN i.has_order THEN i.o_total_amount ELSE r.total_amount END,
         currency = CASE WHEN i.has_order THEN i.o_currency ELSE r.currency END,
         tracking_number = CASE WHEN i.has_shipped THEN i.s_tracking_number ELSE r.tracking_number END,
         updated_at = GREATEST(r.updated_at, i.updated_at)
       FROM i WHERE r.order_id = i.order_id
     )
     INSERT INTO ${t} (order_id, customer_id, status, total_amount, currency, tracking_number, updated_at)
     SELECT order_id, customer_id, status, total_amount, currency, tracking_number, updated_at FROM i
      WHERE NOT EXISTS (SELECT 1 FROM ${t} r WHERE r.order_id = i.order_id)`,
    [
      folds.map((f) => f.orderId),
      folds.map((f) => f.insert.customerId),
      folds.map((f) => f.insert.status),
      folds.map((f) => f.insert.amount),
      folds.map((f) => f.insert.currency),
      folds.map((f) => f.insert.tracking),
      folds.map((f) => f.updatedAt.toISOString()),
      folds.map((f) => f.order !== undefined),
      folds.map((f) => f.order?.customerId ?? null),
      folds.map((f) => f.order?.status ?? null),
      folds.map((f) => f.order?.amount ?? null),
      folds.map((f) => f.order?.currency ?? null),
      folds.map((f) => f.shipped !== undefined),
      folds.map((f) => f.shipped?.tracking ?? null),
    ],
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
  applyBatch: onOrderEvents,
};
