import { Logger } from '@nestjs/common';
import { DomainError } from '@commerce/contracts';
import { Channel, ChannelModel, ConfirmChannel, connect, ConsumeMessage, Options, RecoveringChannelModel } from 'amqplib';
import { MessagingErrorCode } from '../bus/messaging.errors';
import { DeadLetter, DeadLetterPage, DeadLetterStore, describeFailure } from './dead-letter';
import { ChannelAcks, DeliveryTracker, Settlement } from './delivery-tracker';
import { RmqDeadLetters } from './rmq-dead-letters';
import { RmqDeliveries } from './rmq-deliveries';
import { RmqRequests } from './rmq-requests';
import { declareQueue, RmqTopology } from './rmq-topology';
import { batchTurnWrites } from './rmq-write-batching';
import { traceHeaders } from './trace-headers';
import { HostedHandlers, InboundHandler, Transport } from './transport';

/** Broker settings of the RabbitMQ transport. */
export interface RmqOptions {
  url: string;
  prefix: string;
  service: string;
  /** Unacked deliveries per command or query consumer. */
  prefetch: number;
  /** Unacked deliveries of the events consumer (a group-committing subscriber groups at most these); `prefetch` when omitted. */
  eventPrefetch?: number;
  retryDelaysMs: number[];
  /** A delivery left unsettled longer than this makes the process not ready. */
  unsettledMaxMs: number;
}

/** How a consumer declares what it reads, handles a delivery, and starts again. */
interface Consumer {
  prefetch: number;
  declare(channel: Channel): Promise<void>;
  handle(channel: Channel, settlement: Settlement, msg: ConsumeMessage): Promise<void>;
  restart(): Promise<void>;
}

const CONNECT_WAIT_MS = 5000;
const CONSUMER_RESTART_MS = 1000;
const UNROUTED_TTL_MS = 7 * 24 * 3600 * 1000;
const UNROUTED_MAX = 100_000;

/**
 * RabbitMQ on amqplib: events on a topic exchange with one durable queue per subscribing service,
 * commands and queries on a direct exchange to their owner's queue with direct reply-to, manual
 * acks, bounded prefetch, persistent messages, publisher confirms, TTL retry queues and a DLQ.
 * amqplib's recovery reconnects and runs `setup` again, which redeclares and re-consumes.
 * Every delivery ends in exactly one of ack, retry or dead-letter (see docs/patterns/retries-and-dead-letters.md).
 */
export class RmqTransport implements Transport, DeadLetterStore {
  readonly name = 'rmq';
  private readonly logger = new Logger(RmqTransport.name);
  private readonly topology: RmqTopology;
  private readonly deadLetters: RmqDeadLetters;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly tracker = new DeliveryTracker();
  private readonly deliveries: RmqDeliveries;
  private readonly requests: RmqRequests;
  private connection?: RecoveringChannelModel;
  private model?: ChannelModel;
  private publisher?: ConfirmChannel;
  private consumers = new Map<string, { channel: Channel; tag: string; acks: ChannelAcks }>();
  private inbound?: InboundHandler;
  private hosted: HostedHandlers = { requests: [], events: [] };
  private starting = false;
  private connected = false;
  private waiters: (() => void)[] = [];
  private closing = false;
  private draining = false;

  constructor(private readonly options: RmqOptions) {
    this.topology = new RmqTopology(options.prefix, options.service);
    this.requests = new RmqRequests(this.topology);
    this.deliveries = new RmqDeliveries({
      topology: this.topology,
      retryDelaysMs: options.retryDelaysMs,
      inbound: () => this.inbound!,
      hosted: () => this.hosted,
      publisher: () => this.publisher!,
    });
    this.deadLetters = new RmqDeadLetters(options.prefix, async () => {
      await this.ready();
      return this.model!;
    });
  }

  isConnected(): boolean {
    return this.connected;
  }

  consumerProblem(): string | undefined {
    return this.tracker.problem(this.options.unsettledMaxMs);
  }

  /** Deliveries received and not yet acked or rejected. */
  unsettled(): number {
    return this.tracker.inFlight;
  }

  async start(inbound: InboundHandler, hosted: HostedHandlers): Promise<void> {
    this.inbound = inbound;
    this.hosted = hosted;
    this.starting = true;
    const url = new URL(this.options.url);
    if (!url.searchParams.has('heartbeat')) url.searchParams.set('heartbeat', '10');
    this.connection = await connect(url.toString(), {
      noDelay: true, // without it a loopback request/reply took 22 ms instead of 0.3 ms
      clientProperties: { connection_name: `${this.options.prefix}.${this.options.service}` },
      // Not waiting for the broker: the process comes up not ready (readiness says why) and consumes once connected.
      recovery: { setup: (model: ChannelModel) => this.setup(model), maxDelay: 5000, waitForConnect: false },
    });
    this.connection.on('disconnect', (error: Error) => {
      this.connected = false;
      if (!this.closing) this.logger.warn({ msg: 'broker connection lost; reconnecting', err: error?.message });
      // Replies to these were addressed to the lost channel: fail them now as unavailable (retryable), not as timeouts.
      this.requests.failAll('The broker connection was lost before the reply came');
    });
    // Without listeners, a hard connection error would be thrown as an uncaught exception.
    this.connection.on('error', (error: Error) => this.logger.warn({ msg: 'broker connection error', err: error?.message }));
    this.connection.on('reconnect-failed', (error: Error) => this.logger.error({ msg: 'broker reconnection gave up', err: error.message }));
    this.connection.on('connect-failed', (error: Error) => this.logger.warn({ msg: 'broker not reachable; retrying', err: error?.message }));
    // A reachable broker is waited for briefly, so a process usually starts consuming; an unreachable one is not.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.connection.waitForConnect().catch(() => undefined),
      new Promise((resolve) => (timer = setTimeout(resolve, CONNECT_WAIT_MS))),
    ]).finally(() => clearTimeout(timer));
  }

  /**
   * Runs on every (re)connection. The outgoing side comes first: a handler may send a request or
   * publish as soon as it receives its first message, so nothing is consumed before that works.
   */
  private async setup(model: ChannelModel): Promise<void> {
    this.model = model;
    if (!batchTurnWrites(model)) this.logger.warn({ msg: "amqplib's connection has no socket to batch writes on; every frame goes in a write of its own" });
    this.consumers = new Map();
    this.tracker.reset();
    const t = this.topology;
    const publisher = this.watch(await model.createConfirmChannel(), 'publisher');
    // Events no service subscribes to (yet) are not dropped: the alternate exchange keeps them, bounded, for inspection.
    await publisher.assertExchange(t.unroutedExchange, 'fanout', { durable: true });
    await publisher.assertQueue(t.unroutedQueue, {
      durable: true,
      arguments: { 'x-message-ttl': UNROUTED_TTL_MS, 'x-max-length': UNROUTED_MAX, 'x-overflow': 'drop-head' },
    });
    await publisher.bindQueue(t.unroutedQueue, t.unroutedExchange, '');
    await publisher.assertExchange(t.eventsExchange, 'topic', { durable: true, alternateExchange: t.unroutedExchange });
    await publisher.assertExchange(t.requestsExchange, 'direct', { durable: true });

    await this.requests.attach(model, this.watch(await model.createChannel(), 'requester'));
    this.publisher = publisher;
    this.connected = true;
    this.waiters.splice(0).forEach((wake) => wake());

    try {
      if (this.hosted.requests.length > 0 || this.hosted.events.length > 0) await publisher.assertQueue(t.deadLetterQueue, { durable: true });
      for (const kind of ['command', 'query'] as const) {
        const types = this.hosted.requests.filter((r) => r.kind === kind).map((r) => r.type);
        if (types.length > 0) await this.consumeRequests(model, kind, types);
      }
      // Only now: before its own consumers run, this process would see its own queues idle and fail calls to itself.
      this.requests.hosting(this.hosted.requests);
      if (this.hosted.events.length > 0) await this.consumeEvents(model);
    } catch (error) {
      this.connected = false; // recovery closes this model and connects again
      throw error;
    }
    this.logger.log({ msg: 'broker connected', service: this.options.service, requests: this.hosted.requests.length, events: this.hosted.events.length });
  }

  private async consumeRequests(model: ChannelModel, kind: 'command' | 'query', types: string[]): Promise<void> {
    const t = this.topology;
    const queue = t.requestsQueue(kind);
    await this.consume(model, `${kind}s`, queue, {
      prefetch: this.options.prefetch,
      declare: async (channel) => {
        await channel.assertQueue(queue, { durable: true });
        for (const type of types) await channel.bindQueue(queue, t.requestsExchange, type);
      },
      handle: (channel, settlement, msg) => this.deliveries.onRequest(queue, channel, settlement, msg),
      restart: () => this.consumeRequests(model, kind, types),
    });
  }

  private async consumeEvents(model: ChannelModel): Promise<void> {
    const t = this.topology;
    await declareQueue(model, t.eventsQueue, { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': t.deadLetterQueue }, (queue, error) =>
      this.logger.warn({
        msg: 'queue was declared with other arguments; using it as it is, without a broker-level dead-letter exchange (see docs/adr/0015)',
        queue,
        err: error.message,
      }),
    );
    await this.consume(model, 'events', t.eventsQueue, {
      prefetch: this.options.eventPrefetch ?? this.options.prefetch,
      declare: async (channel) => {
        for (const [index, delay] of this.options.retryDelaysMs.entries()) {
          await channel.assertQueue(this.deliveries.retryQueueName(index), {
            durable: true,
            arguments: { 'x-message-ttl': delay, 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': t.eventsQueue },
          });
        }
        for (const type of new Set(this.hosted.events.map((e) => e.type))) await channel.bindQueue(t.eventsQueue, t.eventsExchange, type);
      },
      handle: (_channel, settlement, msg) => this.deliveries.onEvent(t.eventsQueue, settlement, msg),
      restart: () => this.consumeEvents(model),
    });
  }

  /** Starts one consumer on a channel of its own; if the broker cancels it or its channel closes, it reports and starts again. */
  private async consume(model: ChannelModel, role: string, queue: string, consumer: Consumer): Promise<void> {
    const channel = this.watch(await model.createChannel(), `${role} consumer`);
    const acks = new ChannelAcks(channel);
    const stopped = (reason: string) => this.consumerStopped(role, reason, model, channel, consumer.restart);
    channel.on('close', () => stopped('channel closed'));
    await channel.prefetch(consumer.prefetch);
    await consumer.declare(channel);
    const { consumerTag } = await channel.consume(
      queue,
      (msg) => (msg ? this.receive(role, queue, channel, acks, msg, (s, m) => consumer.handle(channel, s, m)) : stopped('cancelled by the broker')),
      { noAck: false },
    );
    this.consumers.set(role, { channel, tag: consumerTag, acks });
    this.tracker.consuming(role);
  }

  private consumerStopped(role: string, reason: string, model: ChannelModel, channel: Channel, restart: () => Promise<void>): void {
    const current = () => !this.closing && !this.draining && this.connected && this.model === model;
    if (!current() || this.consumers.get(role)?.channel !== channel) return;
    this.consumers.delete(role);
    this.tracker.stopped(role, reason);
    this.logger.error({ msg: 'consumer stopped; starting it again', role, reason });
    const timer = setTimeout(() => {
      void channel.close().catch(() => undefined);
      if (!current()) return;
      restart().catch((error: unknown) => this.logger.error({ msg: 'consumer could not start again', role, err: describeFailure(error) }));
    }, CONSUMER_RESTART_MS);
    timer.unref();
  }

  /** Tracks a delivery until it is settled; whatever the handling throws, the delivery still ends somewhere. */
  private receive(
    role: string,
    queue: string,
    channel: Channel,
    acks: ChannelAcks,
    msg: ConsumeMessage,
    handle: (s: Settlement, m: ConsumeMessage) => Promise<void>,
  ): void {
    const settlement = this.tracker.begin(role, channel, msg, acks);
    this.track(handle(settlement, msg).catch((error: unknown) => this.deliveries.failed(queue, msg, settlement, error)));
  }

  /** A command or query over direct reply-to; see RmqRequests for when it fails before its deadline. */
  async request(type: string, raw: string, timeoutMs: number, kind: 'command' | 'query' = 'query'): Promise<string> {
    await this.ready();
    return this.requests.send(type, raw, timeoutMs, kind);
  }

  async publish(type: string, raw: string): Promise<void> {
    await this.ready();
    const messageId = (JSON.parse(raw) as { id?: string }).id;
    await this.confirmPublish(this.publisher!, this.topology.eventsExchange, type, Buffer.from(raw), {
      persistent: true,
      type,
      messageId,
      contentType: 'application/json',
      headers: traceHeaders(),
    });
  }

  async drain(): Promise<void> {
    this.draining = true;
    const consumers = [...this.consumers.values()];
    this.consumers.clear();
    for (const { channel, tag } of consumers) await channel.cancel(tag).catch(() => undefined);
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    // Acks still waiting for their turn go now, before the connection may close.
    for (const { acks } of consumers) acks.flush();
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.drain();
    this.requests.failAll('The message bus is closing');
    await this.connection?.close().catch(() => undefined);
    this.connected = false;
  }

  list(service: string, page: { offset: number; limit: number }): Promise<DeadLetterPage> {
    return this.deadLetters.list(service, page);
  }

  get(service: string, id: string): Promise<DeadLetter | undefined> {
    return this.deadLetters.get(service, id);
  }

  replay(service: string, id: string): Promise<boolean> {
    return this.deadLetters.replay(service, id);
  }

  discard(service: string, id: string): Promise<boolean> {
    return this.deadLetters.discard(service, id);
  }

  private watch<C extends Channel>(channel: C, role: string): C {
    channel.on('error', (error: Error) => this.logger.warn({ msg: 'broker channel error', role, err: error?.message }));
    return channel;
  }

  private confirmPublish(channel: ConfirmChannel, exchange: string, routingKey: string, content: Buffer, options: Options.Publish): Promise<void> {
    return new Promise((resolve, reject) => {
      channel.publish(exchange, routingKey, content, options, (error: unknown) =>
        error ? reject(new DomainError(MessagingErrorCode.NO_HANDLER, 'unavailable', `Broker refused the message: ${String(error)}`)) : resolve(),
      );
    });
  }

  /** Waits (a bounded time) for the connection; a transport still starting is waited for, not refused. */
  private async ready(): Promise<void> {
    if (this.connected) return;
    if (!this.starting) throw new DomainError(MessagingErrorCode.NO_HANDLER, 'unavailable', 'The message bus is not started');
    let timer: NodeJS.Timeout | undefined;
    let wake: () => void = () => undefined;
    await Promise.race([
      new Promise<void>((resolve) => this.waiters.push((wake = resolve))),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new DomainError(MessagingErrorCode.NO_HANDLER, 'unavailable', 'The message broker is not reachable')), CONNECT_WAIT_MS);
      }),
    ]).finally(() => {
      clearTimeout(timer);
      this.waiters = this.waiters.filter((w) => w !== wake);
    });
  }

  private track(promise: Promise<unknown>): void {
    const tracked = promise.catch((error: unknown) => this.logger.error({ msg: 'consumer failed', err: error }));
    this.inFlight.add(tracked);
    void tracked.finally(() => this.inFlight.delete(tracked));
  }
}
