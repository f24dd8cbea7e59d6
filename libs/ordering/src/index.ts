export * from './ordering.module';
export * from './ordering.config';
export * from './infrastructure/ordering.database';
