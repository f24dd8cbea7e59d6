import { OrderCancelled, OrderConfirmed, OrderRejected, ShipmentCreated } from '@commerce/contracts';
import { ProjectedEvent, ProjectionDefinition, ProjectionScope } from '@commerce/projections';

const STATUS: Record<string, string> = { [OrderConfirmed.type]: 'CONFIRMED', [OrderRejected.type]: 'REJECTED', [OrderCancelled.type]: 'CANCELLED' };

async function onOutcome(e: ProjectedEvent, s: ProjectionScope): Promise<void> {
  const t = s.table('customer_orders');
  const total = e.data.total as { amount: number; currency: string };
  await s.manager.query(
    `INSERT INTO ${t} (order_id, customer_id, status, total_amount, currency, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (order_id) DO UPDATE SET customer_id = EXCLUDED.customer_id, status = EXCLUDED.status,
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

/** Each customer's orders with their outcome and tracking number. */
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
  handlers: { [OrderConfirmed.type]: onOutcome, [OrderRejected.type]: onOutcome, [OrderCancelled.type]: onOutcome, [ShipmentCreated.type]: onShipped },
};
