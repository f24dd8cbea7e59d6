export * from './catalog.module';
export * from './catalog.config';
export * from './infrastructure/catalog.database';
