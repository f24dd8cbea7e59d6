import type { Address, MoneyDto } from '@commerce/contracts';

/** A forward step of the order flow. */
export type Step = 'reserve-stock' | 'charge-payment' | 'create-shipment' | 'commit-stock';
/** A compensation, run in reverse order of the forward steps. */
export type Compensation = 'cancel-shipment' | 'refund-payment' | 'release-stock';
/** What the order flow does next, given an order's state. */
export type NextAction = Step | Compensation | 'finalize' | 'none';

/** A line as ordered, with the catalog price at the time of ordering. */
export interface OrderLine {
  productId: string;
  quantity: number;
  unitPrice: MoneyDto;
  name: string;
}

/** The facts recorded in an order's stream, in order; the order's state is their fold. */
export type OrderEvent =
  | {
      type: 'OrderPlaced';
      data: { customerId: string; email: string; lines: OrderLine[]; total: MoneyDto; shippingAddress: Address; paymentToken: string; traceId?: string };
    }
  | { type: 'StepStarted'; data: { step: Step | Compensation } }
  | { type: 'StockReserved'; data: Record<string, never> }
  | { type: 'StockReservationFailed'; data: { reason: string } }
  | { type: 'PaymentCaptured'; data: Record<string, never> }
  | { type: 'PaymentFailed'; data: { reason: string } }
  | { type: 'ShipmentCreated'; data: { trackingNumber: string } }
  | { type: 'ShipmentFailed'; data: { reason: string } }
  | { type: 'StockCommitted'; data: Record<string, never> }
  | { type: 'StepTimedOut'; data: { step: Step } }
  | { type: 'CancellationRequested'; data: Record<string, never> }
  | { type: 'ShipmentCancelled'; data: Record<string, never> }
  | { type: 'PaymentRefunded'; data: Record<string, never> }
  | { type: 'StockReleased'; data: Record<string, never> }
  | { type: 'CompensationFailed'; data: { compensation: Compensation; reason: string } }
  | { type: 'LateReplyIgnored'; data: { step: string; outcome: string } }
  | { type: 'OrderConfirmed'; data: Record<string, never> }
  | { type: 'OrderRejected'; data: { reason: string } }
  | { type: 'OrderCancelled'; data: Record<string, never> };

/** An event with its position in the stream. */
export type RecordedEvent = OrderEvent & { version: number; recordedAt: string };
