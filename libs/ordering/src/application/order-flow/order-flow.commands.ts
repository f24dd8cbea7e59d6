import type { Compensation, Step } from '../../domain/order-events';

/** Run a forward step of an order: reserve, charge, ship, commit. */
export class RunOrderStep {
  constructor(
    readonly orderId: string,
    readonly step: Step,
  ) {}
}

/** Undo one completed (or possibly completed) step of an order. */
export class CompensateOrder {
  constructor(
    readonly orderId: string,
    readonly compensation: Compensation,
  ) {}
}

/** Record the order's final outcome and announce it. */
export class FinalizeOrder {
  constructor(readonly orderId: string) {}
}
