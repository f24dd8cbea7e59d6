export * from './projection';
export * from './projection-tables.migration';
export * from './event-cursor';
export * from './projection-runner';
export * from './projection-loop';
export * from './projections.config';
export * from './projections.providers';
