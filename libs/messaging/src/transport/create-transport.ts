import { MessagingConfig } from '../messaging.config';
import { InProcessTransport } from './in-process.transport';
import { RmqTransport } from './rmq.transport';
import { Transport } from './transport';

/** The transport the configuration names, for a process whose queues carry `service`. */
export function createTransport(config: MessagingConfig, service: string): Transport {
  return config.TRANSPORT === 'rmq'
    ? new RmqTransport({
        url: config.RABBITMQ_URL,
        prefix: config.RMQ_PREFIX,
        service,
        prefetch: config.RMQ_PREFETCH,
        eventPrefetch: config.RMQ_EVENT_PREFETCH,
        retryDelaysMs: config.RETRY_DELAYS_MS,
        unsettledMaxMs: config.RMQ_UNSETTLED_MAX_MS,
      })
    : new InProcessTransport(service, config.RETRY_DELAYS_MS);
}
