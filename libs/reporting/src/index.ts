export * from './reporting.module';
export * from './infrastructure/reporting.database';
export * from './projections/reporting.projections';
