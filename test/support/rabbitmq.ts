import { connect } from 'amqplib';
import { randomBytes } from 'node:crypto';

/** The broker the messaging suites use; override with TEST_RABBITMQ_URL. */
export const TEST_RABBITMQ_URL = process.env.TEST_RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

/** Fails with a message naming the service when RabbitMQ does not answer. */
export async function assertRabbitAnswers(): Promise<void> {
  try {
    const connection = await connect(TEST_RABBITMQ_URL, { timeout: 5000 });
    await connection.close();
  } catch (error) {
    throw new Error(`RabbitMQ is not answering at ${TEST_RABBITMQ_URL} (${String(error)}). Start it, or set TEST_RABBITMQ_URL.`);
  }
}

/** A prefix no other suite or run uses, so exchanges and queues never collide. */
export function uniquePrefix(): string {
  return `t${randomBytes(4).toString('hex')}`;
}

/** Deletes every queue and exchange whose name starts with the prefix (via the broker's CLI-free API: we know the names). */
export async function deleteTopology(prefix: string, services: string[], retryDelays: number[]): Promise<void> {
  const connection = await connect(TEST_RABBITMQ_URL);
  const channel = await connection.createChannel();
  for (const service of services) {
    const base = `${prefix}.${service}`;
    const queues = [`${base}.events`, `${base}.commands`, `${base}.queries`, `${base}.dlq`, ...retryDelays.map((d, i) => `${base}.retry.${i + 1}.${d}ms`)];
    for (const queue of queues) await channel.deleteQueue(queue).catch(() => undefined);
  }
  await channel.deleteExchange(`${prefix}.events`).catch(() => undefined);
  await channel.deleteQueue(`${prefix}.unrouted`).catch(() => undefined);
  await channel.deleteExchange(`${prefix}.unrouted`).catch(() => undefined);
  await channel.deleteExchange(`${prefix}.requests`).catch(() => undefined);
  await connection.close().catch(() => undefined);
}
