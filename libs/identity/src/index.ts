export * from './identity.module';
export * from './identity.config';
export * from './infrastructure/identity.database';
