import { AsyncLocalStorage } from 'node:async_hooks';

/** What every log line of one request or message carries. */
export interface RequestContextStore {
  requestId?: string;
  correlationId?: string;
  causationId?: string;
  messageType?: string;
  /** `<Class>.<method>` of the message handler running, for the inbox. */
  handlerName?: string;
}

const storage = new AsyncLocalStorage<RequestContextStore>();

/** Ambient context (request id, correlation id) propagated through async calls. */
export const RequestContext = {
  run<T>(store: RequestContextStore, fn: () => T): T {
    return storage.run(store, fn);
  },
  current(): RequestContextStore | undefined {
    return storage.getStore();
  },
};
