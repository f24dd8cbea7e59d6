export * from './common/contract';
export * from './common/envelope';
export * from './common/error-kind';
export * from './common/domain.errors';
export * from './common/money';
export * from './catalog/product.contracts';
export * from './catalog/inventory.contracts';
