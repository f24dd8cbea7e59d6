export * from './payments.module';
export * from './payments.config';
export * from './infrastructure/payments.database';
