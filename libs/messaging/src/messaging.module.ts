import {
  BeforeApplicationShutdown,
  DynamicModule,
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  OnApplicationBootstrap,
  OnModuleInit,
  OnApplicationShutdown,
} from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { GRPC_SERVICES, GrpcServiceDefinition } from '@commerce/contracts';
import { MetricsRegistry, MicroserviceRegistry, ReadinessRegistry } from '@commerce/platform';
import { first, Subscription } from 'rxjs';
import { MessageBus } from './bus/message-bus';
import { RequestRouter } from './bus/request-route';
import { grpcProviders } from './grpc/grpc.providers';
import { grpcQueriesController } from './grpc/grpc-queries.controller';
import { HandlerRegistry } from './handlers/handler-registry';
import { MessagingClient } from './nest/messaging.client';
import { MessagingServer } from './nest/messaging.server';
import { loadMessagingConfig, MESSAGING_CONFIG, MessagingConfig } from './messaging.config';
import { observeMessagingState } from './outbox/messaging-state.metrics';
import { OutboxRelay } from './outbox/outbox-relay';
import { outboxStateQuery } from './outbox/outbox-state.query';
import { UnitOfWork } from './outbox/unit-of-work';
import { createTransport } from './transport/create-transport';
import { Transport, TRANSPORT } from './transport/transport';

/** The name this process's queues carry; every instance of one service uses the same. */
export const SERVICE_NAME = Symbol('SERVICE_NAME');

/**
 * Serves this app's message handlers the Nest way: the MessagingServer (a custom transport
 * strategy) is registered for `connectMicroservice`, and the app's start (`runHttpApp`,
 * `startHttpApp`) starts it after init. Once it listens, the outbox relay ships and the state is
 * observed; readiness reports the bus down until then.
 */
@Injectable()
class MessagingLifecycle implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('Messaging');
  private listening?: Subscription;

  constructor(
    private readonly server: MessagingServer,
    private readonly servers: MicroserviceRegistry,
    private readonly relay: OutboxRelay,
    private readonly readiness: ReadinessRegistry,
    private readonly indicator: HealthIndicatorService,
    @Inject(TRANSPORT) private readonly transport: Transport,
    @Inject(MESSAGING_CONFIG) private readonly config: MessagingConfig,
    private readonly metrics: MetricsRegistry,
    @Inject(SERVICE_NAME) private readonly service: string,
    private readonly router: RequestRouter,
  ) {}

  /** Registered before any other server of the app (gRPC reads the handler registry the server fills at listen). */
  onModuleInit(): void {
    this.servers.add({ strategy: this.server });
  }

  onApplicationBootstrap(): void {
    this.listening = this.server.status.pipe(first((status) => status === 'listening')).subscribe(() => this.started());
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
  }

  private started(): void {
    observeMessagingState(this.metrics, this.relay, this.transport, this.service);
    this.relay.start();
    for (const route of this.router.active())
      this.logger.log({ msg: 'requests routed past the bus', route: route.name, target: route.target, types: route.types });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.transport.drain();
  }

  async onApplicationShutdown(): Promise<void> {
    this.listening?.unsubscribe();
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
      controllers: served.map(grpcQueriesController),
      providers: [
        MessagingLifecycle,
        { provide: SERVICE_NAME, useValue: options.service },
        ...grpcProviders(served, reachable),
        { provide: MESSAGING_CONFIG, useFactory: () => loadMessagingConfig() },
        {
          provide: TRANSPORT,
          inject: [MESSAGING_CONFIG],
          useFactory: (config: MessagingConfig): Transport => createTransport(config, options.service),
        },
        HandlerRegistry,
        {
          provide: MessagingServer,
          inject: [TRANSPORT, MetricsRegistry, HandlerRegistry, OutboxRelay, SERVICE_NAME],
          useFactory: (transport: Transport, metrics: MetricsRegistry, registry: HandlerRegistry, relay: OutboxRelay, service: string) =>
            new MessagingServer({
              transport,
              metrics,
              registry,
              handlers: [{ contract: outboxStateQuery(service), name: 'OutboxRelay.backlog', fn: () => relay.backlog() }],
              // The module closes the transport after the relay has stopped; the server only stops consuming.
              closesTransport: false,
            }),
        },
        MessageBus,
        { provide: MessagingClient, inject: [MessageBus], useFactory: (bus: MessageBus) => new MessagingClient(bus) },
        OutboxRelay,
        UnitOfWork,
      ],
      exports: [MessageBus, MessagingClient, MessagingServer, UnitOfWork, TRANSPORT, SERVICE_NAME, MESSAGING_CONFIG],
    };
  }
}
