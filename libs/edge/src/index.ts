export * from './edge.module';
export * from './edge.config';
