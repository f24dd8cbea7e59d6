export * from './bus/message-bus';
export * from './bus/messaging.errors';
export * from './handlers/message-handler.decorator';
export * from './transport/transport';
export * from './transport/in-process.transport';
export * from './messaging.module';
