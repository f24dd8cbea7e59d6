import { DomainError } from '@commerce/contracts';

/** Stable codes of the catalog's expected failures. */
export const CatalogErrorCode = {
  PRODUCT_NOT_FOUND: 'CATALOG.PRODUCT_NOT_FOUND',
  SKU_TAKEN: 'CATALOG.SKU_TAKEN',
  INVALID_MONEY: 'CATALOG.INVALID_MONEY',
  STOCK_WOULD_GO_NEGATIVE: 'CATALOG.STOCK_WOULD_GO_NEGATIVE',
  RESERVATION_NOT_FOUND: 'CATALOG.RESERVATION_NOT_FOUND',
  RESERVATION_STATE_CONFLICT: 'CATALOG.RESERVATION_STATE_CONFLICT',
} as const;

/** The product does not exist. */
export class ProductNotFoundError extends DomainError {
  constructor(productId: string) {
    super(CatalogErrorCode.PRODUCT_NOT_FOUND, 'not-found', `Product ${productId} does not exist`);
  }
}

/** Another product already uses this SKU. */
export class SkuTakenError extends DomainError {
  constructor(sku: string) {
    super(CatalogErrorCode.SKU_TAKEN, 'conflict', `SKU ${sku} is already used by another product`);
  }
}

/** An amount or currency that money cannot hold. */
export class InvalidMoneyError extends DomainError {
  constructor(reason: string) {
    super(CatalogErrorCode.INVALID_MONEY, 'invalid', reason);
  }
}

/** An adjustment or movement would leave a stock counter below zero. */
export class StockWouldGoNegativeError extends DomainError {
  constructor(productId: string, available: number, delta: number) {
    super(CatalogErrorCode.STOCK_WOULD_GO_NEGATIVE, 'conflict', `Product ${productId} has ${available} available; cannot apply ${delta}`);
  }
}

/** No reservation is recorded for this order. */
export class ReservationNotFoundError extends DomainError {
  constructor(orderId: string) {
    super(CatalogErrorCode.RESERVATION_NOT_FOUND, 'not-found', `No stock reservation for order ${orderId}`);
  }
}

/** The reservation is in a state that forbids the requested move. */
export class ReservationStateConflictError extends DomainError {
  constructor(orderId: string, status: string, action: string) {
    super(CatalogErrorCode.RESERVATION_STATE_CONFLICT, 'conflict', `Cannot ${action} the reservation of order ${orderId}: it is ${status}`);
  }
}
