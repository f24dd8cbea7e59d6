export * from './shipping.module';
export * from './infrastructure/shipping.database';
