import { StockWouldGoNegativeError } from './catalog.errors';

/** Stock of one product: free to reserve, held for orders, sold. Movements conserve the sum. */
export class StockLevel {
  constructor(
    readonly productId: string,
    readonly available: number,
    readonly reserved: number,
    readonly committed: number,
  ) {}

  /** Admin correction of what is free to sell; never below zero. */
  adjust(delta: number): StockLevel {
    if (this.available + delta < 0) throw new StockWouldGoNegativeError(this.productId, this.available, delta);
    return new StockLevel(this.productId, this.available + delta, this.reserved, this.committed);
  }

  canReserve(quantity: number): boolean {
    return quantity <= this.available;
  }

  /** The level once `quantity` is held for an order (the caller checked `canReserve`). */
  reserve(quantity: number): StockLevel {
    return new StockLevel(this.productId, this.available - quantity, this.reserved + quantity, this.committed);
  }
}
