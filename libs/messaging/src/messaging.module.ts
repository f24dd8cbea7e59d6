import {
  BeforeApplicationShutdown,
  DynamicModule,
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { DiscoveryModule, DiscoveryService, MetadataScanner } from '@nestjs/core';
import { HealthIndicatorService } from '@nestjs/terminus';
import { GRPC_SERVICES, GrpcServiceDefinition, MessageContract } from '@commerce/contracts';
import { MetricsRegistry, ReadinessRegistry } from '@commerce/platform';
import { MessageBus } from './bus/message-bus';
import { MessageDispatcher } from './bus/message-dispatcher';
import { MessagingMetrics } from './bus/messaging.metrics';
import { RequestRouter } from './bus/request-route';
import { grpcProviders } from './grpc/grpc.providers';
import { grpcQueriesController } from './grpc/grpc-queries.controller';
import { HandlerRegistry } from './handlers/handler-registry';
import { MESSAGE_HANDLER_METADATA } from './handlers/message-handler.decorator';
import { MessagingClient } from './nest/messaging.client';
import { loadMessagingConfig, MESSAGING_CONFIG, MessagingConfig } from './messaging.config';
import { observeMessagingState } from './outbox/messaging-state.metrics';
import { OutboxRelay } from './outbox/outbox-relay';
import { outboxStateQuery } from './outbox/outbox-state.query';
import { UnitOfWork } from './outbox/unit-of-work';
import { createTransport } from './transport/create-transport';
import { Transport, TRANSPORT } from './transport/transport';

/** The name this process's queues carry; every instance of one service uses the same. */
export const SERVICE_NAME = Symbol('SERVICE_NAME');

/** Finds @MessageHandler methods, starts the transport and the outbox relay, reports readiness. */
@Injectable()
class MessagingLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('Messaging');

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly registry: HandlerRegistry,
    private readonly relay: OutboxRelay,
    private readonly readiness: ReadinessRegistry,
    private readonly indicator: HealthIndicatorService,
    @Inject(TRANSPORT) private readonly transport: Transport,
    @Inject(MESSAGING_CONFIG) private readonly config: MessagingConfig,
    private readonly metrics: MetricsRegistry,
    @Inject(SERVICE_NAME) private readonly service: string,
    private readonly router: RequestRouter,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object' || !wrapper.isDependencyTreeStatic()) continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const fn = instance[method] as (...args: unknown[]) => Promise<unknown>;
        const contract = Reflect.getMetadata(MESSAGE_HANDLER_METADATA, fn) as MessageContract | undefined;
        if (!contract) continue;
        this.registry.add({ contract, name: `${instance.constructor.name}.${method}`, fn: (payload, envelope) => fn.call(instance, payload, envelope) });
      }
    }
    this.registry.add({ contract: outboxStateQuery(this.service), name: 'OutboxRelay.backlog', fn: () => this.relay.backlog() });
    const types = this.registry.types();
    await this.transport.start(new MessageDispatcher(this.registry, new MessagingMetrics(this.metrics), this.transport.name), this.registry.hosted());
    observeMessagingState(this.metrics, this.relay, this.transport, this.service);
    this.relay.start();
    this.readiness.add(async () => {
      const check = this.indicator.check('bus');
      if (!this.transport.isConnected()) return check.down({ transport: this.transport.name, message: 'broker not connected' });
      const problem = this.transport.consumerProblem();
      return problem ? check.down({ transport: this.transport.name, message: problem }) : check.up({ transport: this.transport.name });
    });
    this.readiness.add(async () => {
      const check = this.indicator.check('outbox');
      const lag = await this.relay.lag();
      const late = Object.entries(lag).filter(([, ms]) => ms > this.config.OUTBOX_LAG_MAX_MS);
      return late.length === 0
        ? check.up({ lagMs: lag })
        : check.down({ lagMs: lag, message: `outbox behind by more than ${this.config.OUTBOX_LAG_MAX_MS} ms` });
    });
    this.logger.log({ msg: 'message bus started', transport: this.transport.name, handles: types.length });
    for (const route of this.router.active())
      this.logger.log({ msg: 'requests routed past the bus', route: route.name, target: route.target, types: route.types });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.transport.drain();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.relay.stop();
    await this.router.close();
    await this.transport.close();
  }
}

/** Options of the messaging module. */
export interface MessagingOptions {
  /** Names this process's queues (`catalog`, `gateway`, `monolith`, …). */
  service: string;
  /** gRPC services this process answers with its handlers, on GRPC_PORT beside HTTP (e.g. catalog's queries). */
  serveGrpc?: readonly GrpcServiceDefinition[];
  /** gRPC services this process may call when `<CONTEXT>_QUERIES=grpc`; every one in the contracts by default. */
  grpcServices?: readonly GrpcServiceDefinition[];
}

/** The bus every module uses to reach other modules, on the configured transport. */
@Global()
@Module({})
export class MessagingModule {
  static forRoot(options: MessagingOptions): DynamicModule {
    const served = options.serveGrpc ?? [];
    const reachable = options.grpcServices ?? GRPC_SERVICES;
    return {
      module: MessagingModule,
      imports: [DiscoveryModule],
      controllers: served.map(grpcQueriesController),
      providers: [
        { provide: SERVICE_NAME, useValue: options.service },
        ...grpcProviders(served, reachable),
        { provide: MESSAGING_CONFIG, useFactory: () => loadMessagingConfig() },
        {
          provide: TRANSPORT,
          inject: [MESSAGING_CONFIG],
          useFactory: (config: MessagingConfig): Transport => createTransport(config, options.service),
        },
        HandlerRegistry,
        MessageBus,
        { provide: MessagingClient, inject: [MessageBus], useFactory: (bus: MessageBus) => new MessagingClient(bus) },
        OutboxRelay,
        UnitOfWork,
        MessagingLifecycle,
      ],
      exports: [MessageBus, MessagingClient, UnitOfWork, TRANSPORT, SERVICE_NAME, MESSAGING_CONFIG],
    };
  }
}
