export * from './edge.module';
