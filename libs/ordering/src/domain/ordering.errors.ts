import { DomainError } from '@commerce/contracts';

/** No order with this id. */
export class OrderNotFoundError extends DomainError {
  constructor(orderId: string) {
    super('ORDERING.ORDER_NOT_FOUND', 'not-found', `Order ${orderId} does not exist`);
  }
}

/** The order has shipped (or is otherwise past the point of cancelling). */
export class OrderNotCancellableError extends DomainError {
  constructor(orderId: string, status: string) {
    super('ORDERING.NOT_CANCELLABLE', 'conflict', `Order ${orderId} is ${status} and can no longer be cancelled`);
  }
}

/** The same idempotency key was used with a different request. */
export class IdempotencyKeyReusedError extends DomainError {
  constructor() {
    super('ORDERING.IDEMPOTENCY_KEY_REUSED', 'conflict', 'This Idempotency-Key was already used with a different request body');
  }
}

/** A product in the order does not exist in the catalog. */
export class UnknownProductError extends DomainError {
  constructor(productIds: string[]) {
    super(
      'ORDERING.UNKNOWN_PRODUCT',
      'invalid',
      `Unknown product(s): ${productIds.join(', ')}`,
      productIds.map((id) => ({ path: 'lines', message: `product ${id} does not exist` })),
    );
  }
}

/** The order's lines are priced in more than one currency. */
export class MixedCurrencyError extends DomainError {
  constructor() {
    super('ORDERING.MIXED_CURRENCY', 'invalid', 'All products of an order must be priced in one currency');
  }
}

/** Someone else appended to the order's stream first; reload and decide again. */
export class ConcurrentAppendError extends DomainError {
  constructor(orderId: string, version: number) {
    super('ORDERING.CONCURRENT_APPEND', 'conflict', `Order ${orderId} changed concurrently at version ${version}`);
  }
}
