import type { NextAction } from '../../domain/order-events';

/** An order's stream changed (or was found quiet); `next` is what the flow must do now. */
export class OrderAdvanced {
  constructor(
    readonly orderId: string,
    readonly next: NextAction,
  ) {}
}
