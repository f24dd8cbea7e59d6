import type { Address, ErrorKind, MoneyDto } from '@commerce/contracts';
import type { Compensated, Compensation, Step, StepRejected, StepSucceeded } from './order-flow.definition';

export type { Compensation, Step } from './order-flow.definition';
/** What the order flow does next, given an order's state. */
export type NextAction = Step | Compensation | 'finalize' | 'none';

/** Why a call to a step's owner brought no outcome: an error of this kind, or a reply that says "not yet" (`retry`). */
export interface StepFailure {
  step: Step | Compensation;
  kind: ErrorKind | 'retry';
  code: string;
  reason: string;
}

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
  | { type: StepSucceeded; data: Record<string, string> }
  | { type: StepRejected; data: { reason: string } }
  | { type: 'StepTimedOut'; data: { step: Step } }
  | { type: 'StepFailed'; data: StepFailure & { retryAt: string } }
  | { type: 'StepParked'; data: StepFailure }
  | { type: 'CancellationRequested'; data: Record<string, never> }
  | { type: Compensated; data: Record<string, never> }
  | { type: 'CompensationFailed'; data: { compensation: Compensation; reason: string } }
  | { type: 'LateReplyIgnored'; data: { step: string; outcome: string } }
  | { type: 'OrderConfirmed'; data: Record<string, never> }
  | { type: 'OrderRejected'; data: { reason: string } }
  | { type: 'OrderCancelled'; data: Record<string, never> };

/** An event with its position in the stream. */
export type RecordedEvent = OrderEvent & { version: number; recordedAt: string };
