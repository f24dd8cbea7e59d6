import {
  CancelShipment,
  ChargePayment,
  CommitStock,
  CreateShipment,
  MessageContract,
  PayloadOf,
  RefundPayment,
  ReleaseStock,
  ReserveStock,
  ResultOf,
  type Address,
  type ErrorKind,
  type MoneyDto,
  type OrderStatus,
} from '@commerce/contracts';

/** What a step's payload may read: the order as placed, and why it is being undone. */
export interface FlowOrder {
  id: string;
  email: string;
  lines: { productId: string; quantity: number }[];
  total: MoneyDto;
  shippingAddress: Address;
  paymentToken: string;
  reason?: string;
}

/** A reply read as the step's outcome: done, a domain rejection (compensated), or not yet (retried like a timeout). */
export type StepReply =
  { outcome: 'succeeded'; data?: Record<string, string> } | { outcome: 'rejected'; reason: string } | { outcome: 'retry'; reason: string };

/**
 * What happens when the owner does not answer with a reply. Timeouts and an unreachable owner
 * (`timeout`, `unavailable`) say nothing about the step: it is tried again with `backoff`, until
 * the step's deadline or, past the pivot, until it succeeds. An owner answering with an error
 * (`internal`, `conflict`) is tried again too, `errorAnswers` times in all; a permanent or invalid
 * answer (`invalid`, `not-found`, `forbidden`, `unauthorized`) parks the order at once.
 */
export interface RetryPolicy {
  transient: 'until-deadline' | 'until-success';
  /** The first pause (a config variable), doubled after each failed call up to `maxMs`. */
  backoff: { first: 'ORDER_RETRY_BACKOFF_MS'; maxMs: number };
  /** The config variable bounding error answers before the order is parked. */
  errorAnswers: 'ORDER_COMPENSATION_ATTEMPTS';
}

/** How a completed (or possibly completed) step is undone. */
export interface CompensationDefinition<
  C extends MessageContract<'command'> = MessageContract<'command'>,
  N extends string = string,
  D extends string = string,
> {
  name: N;
  command: C;
  payload: (order: FlowOrder) => PayloadOf<C>;
  /** The event recorded once the owner confirms it. */
  done: D;
}

/** One forward step of the order flow: the command sent to its owner and what its reply means. */
export interface StepDefinition<
  C extends MessageContract<'command'> = MessageContract<'command'>,
  N extends string = string,
  S extends string = string,
  R extends string = string,
  K extends string = string,
  D extends string = string,
> {
  name: N;
  /** The context that owns the command and its handler. */
  owner: string;
  command: C;
  payload: (order: FlowOrder) => PayloadOf<C>;
  reply: (result: ResultOf<C>) => StepReply;
  /** The events a reply is recorded as; a step without `rejected` cannot be refused by its owner. */
  succeeded: S;
  rejected?: R;
  /** The order's status once the step succeeded (unchanged if absent). */
  status?: OrderStatus;
  compensation?: CompensationDefinition<MessageContract<'command'>, K, D>;
  /** `step-timeout`: the step fails if it has no outcome `ORDER_STEP_TIMEOUT_MS` after it started. */
  deadline: 'step-timeout' | 'none';
  retry: RetryPolicy;
}

/** Keeps the literal names of a step (for the types derived below) and checks its reply mapping against its contract. */
function step<
  C extends MessageContract<'command'>,
  N extends string,
  S extends string,
  R extends string = never,
  K extends string = never,
  D extends string = never,
>(definition: StepDefinition<C, N, S, R, K, D>): StepDefinition<C, N, S, R, K, D> {
  return definition;
}

function compensation<C extends MessageContract<'command'>, N extends string, D extends string>(
  definition: CompensationDefinition<C, N, D>,
): CompensationDefinition<MessageContract<'command'>, N, D> {
  return definition as unknown as CompensationDefinition<MessageContract<'command'>, N, D>;
}

/** How an error from a step's owner is treated, by its kind (see RetryPolicy). */
export type FailureClass = 'transient' | 'error-answer' | 'permanent';

/** Error kinds by how the flow treats them; the docs table is generated from this. */
export const FAILURE_CLASSES: Record<ErrorKind | 'retry', FailureClass> = {
  timeout: 'transient',
  unavailable: 'transient',
  retry: 'transient',
  internal: 'error-answer',
  conflict: 'error-answer',
  invalid: 'permanent',
  'not-found': 'permanent',
  forbidden: 'permanent',
  unauthorized: 'permanent',
};

/** Codes that are permanent whatever their kind: a reply that breaks its contract will break it again. */
const PERMANENT_CODES = new Set(['MESSAGING.INVALID_REPLY', 'MESSAGING.INVALID_MESSAGE']);

/** The class of a failure; an unknown kind counts as an error answer. */
export function classifyFailure(kind: string, code: string): FailureClass {
  if (PERMANENT_CODES.has(code)) return 'permanent';
  return FAILURE_CLASSES[kind as ErrorKind] ?? 'error-answer';
}

const BACKOFF = { first: 'ORDER_RETRY_BACKOFF_MS', maxMs: 30_000 } as const;
/** Before the pivot a step may still be undone: it is retried within its deadline, then compensated. */
const BEFORE_PIVOT: RetryPolicy = { transient: 'until-deadline', backoff: BACKOFF, errorAnswers: 'ORDER_COMPENSATION_ATTEMPTS' };
/** Past the pivot the order completes: a step is retried until it succeeds, never compensated. */
const PAST_PIVOT: RetryPolicy = { transient: 'until-success', backoff: BACKOFF, errorAnswers: 'ORDER_COMPENSATION_ATTEMPTS' };
/** Compensations end in their effect: retried through timeouts for as long as it takes (ADR 17). */
export const COMPENSATION_RETRY: RetryPolicy = PAST_PIVOT;

const reason = (what: string, r: { status: string; reason?: string }) => r.reason ?? `${what} ${r.status.toLowerCase()}`;

/**
 * The order flow, in order. Everything else reads this list: the order's state and next action
 * (`Order`), the saga's streams (`OrderFlowSaga`), the executor (`OrderFlow`) and the docs page
 * (`npm run docs:order-flow`). Adding a step is one entry here plus its handler in the owner.
 */
export const ORDER_STEPS = [
  step({
    name: 'reserve-stock',
    owner: 'catalog',
    command: ReserveStock,
    payload: (o) => ({ orderId: o.id, lines: o.lines.map((l) => ({ productId: l.productId, quantity: l.quantity })) }),
    reply: (r) =>
      r.status === 'RESERVED' || r.status === 'COMMITTED'
        ? { outcome: 'succeeded' }
        : {
            outcome: 'rejected',
            reason: r.shortages?.length
              ? `out of stock: ${r.shortages.map((s) => `${s.productId} (${s.available} of ${s.requested})`).join(', ')}`
              : `stock ${r.status.toLowerCase()}`,
          },
    succeeded: 'StockReserved',
    rejected: 'StockReservationFailed',
    status: 'STOCK_RESERVED',
    compensation: compensation({ name: 'release-stock', command: ReleaseStock, payload: (o) => ({ orderId: o.id, reason: o.reason }), done: 'StockReleased' }),
    deadline: 'step-timeout',
    retry: BEFORE_PIVOT,
  }),
  step({
    name: 'charge-payment',
    owner: 'payments',
    command: ChargePayment,
    payload: (o) => ({ orderId: o.id, amount: o.total, paymentToken: o.paymentToken, email: o.email }),
    reply: (r) =>
      r.status === 'CAPTURED'
        ? { outcome: 'succeeded' }
        : r.status === 'PENDING'
          ? { outcome: 'retry', reason: 'payment still pending' }
          : { outcome: 'rejected', reason: reason('payment', r) },
    succeeded: 'PaymentCaptured',
    rejected: 'PaymentFailed',
    status: 'PAID',
    compensation: compensation({
      name: 'refund-payment',
      command: RefundPayment,
      payload: (o) => ({ orderId: o.id, reason: o.reason }),
      done: 'PaymentRefunded',
    }),
    deadline: 'step-timeout',
    retry: BEFORE_PIVOT,
  }),
  step({
    name: 'create-shipment',
    owner: 'shipping',
    command: CreateShipment,
    payload: (o) => ({ orderId: o.id, address: o.shippingAddress, items: o.lines.reduce((n, l) => n + l.quantity, 0) }),
    reply: (r) =>
      r.status === 'CREATED'
        ? { outcome: 'succeeded', data: { trackingNumber: r.trackingNumber ?? '' } }
        : { outcome: 'rejected', reason: reason('shipment', r) },
    succeeded: 'ShipmentCreated',
    rejected: 'ShipmentFailed',
    compensation: compensation({ name: 'cancel-shipment', command: CancelShipment, payload: (o) => ({ orderId: o.id }), done: 'ShipmentCancelled' }),
    deadline: 'step-timeout',
    retry: BEFORE_PIVOT,
  }),
  step({
    name: 'commit-stock',
    owner: 'catalog',
    command: CommitStock,
    payload: (o) => ({ orderId: o.id }),
    reply: () => ({ outcome: 'succeeded' }),
    succeeded: 'StockCommitted',
    deadline: 'none',
    retry: PAST_PIVOT,
  }),
] as const;

/** The last step that can be undone: once it succeeded the order completes and can no longer be cancelled. */
export const PIVOT: Step = 'create-shipment';

type Steps = (typeof ORDER_STEPS)[number];
/** A forward step of the order flow. */
export type Step = Steps['name'];
/** A compensation, run in reverse order of the forward steps. */
export type Compensation = NonNullable<Steps['compensation']>['name'];
/** The event a step's success is recorded as. */
export type StepSucceeded = Steps['succeeded'];
/** The event a step's domain rejection is recorded as. */
export type StepRejected = NonNullable<Steps['rejected']>;
/** The event a compensation's effect is recorded as. */
export type Compensated = NonNullable<Steps['compensation']>['done'];

/** Lookups over the definition, for the code that reads it. */
export const OrderFlowDefinition = {
  steps: ORDER_STEPS as readonly StepDefinition[],
  pivot: PIVOT,
  step(name: string): StepDefinition | undefined {
    return ORDER_STEPS.find((s) => s.name === name) as StepDefinition | undefined;
  },
  /** The step a compensation undoes, and the compensation. */
  compensation(name: string): { step: StepDefinition; compensation: CompensationDefinition } | undefined {
    const owner = (ORDER_STEPS as readonly StepDefinition[]).find((s) => s.compensation?.name === name);
    return owner && { step: owner, compensation: owner.compensation! };
  },
  /** Whether the step is past the pivot (it has no deadline and is never undone). */
  pastPivot(name: string): boolean {
    const names = ORDER_STEPS.map((s) => s.name as string);
    return names.indexOf(name) > names.indexOf(PIVOT);
  },
  /** The retry policy of a step or compensation. */
  retry(name: string): RetryPolicy {
    return OrderFlowDefinition.step(name)?.retry ?? COMPENSATION_RETRY;
  },
};
