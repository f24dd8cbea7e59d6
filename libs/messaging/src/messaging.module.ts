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
import { MessageContract } from '@commerce/contracts';
import { MessageBus } from './bus/message-bus';
import { MessageDispatcher } from './bus/message-dispatcher';
import { HandlerRegistry } from './handlers/handler-registry';
import { MESSAGE_HANDLER_METADATA } from './handlers/message-handler.decorator';
import { InProcessTransport } from './transport/in-process.transport';
import { Transport, TRANSPORT } from './transport/transport';

/** Finds @MessageHandler methods, registers them and starts the transport. */
@Injectable()
class MessagingLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('Messaging');

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly registry: HandlerRegistry,
    @Inject(TRANSPORT) private readonly transport: Transport,
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
    const types = this.registry.types();
    const requests = types.filter((t) => this.registry.handlersFor(t).some((h) => h.contract.kind !== 'event'));
    const events = types.flatMap((t) =>
      this.registry
        .handlersFor(t)
        .filter((h) => h.contract.kind === 'event')
        .map((h) => ({ type: t, handlerName: h.name })),
    );
    await this.transport.start(new MessageDispatcher(this.registry), { requests, events });
    this.logger.log({ msg: 'message bus started', transport: this.transport.name, handles: types.length });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.transport.drain();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.transport.close();
  }
}

/** The bus every module uses to reach other modules, on the configured transport. */
@Global()
@Module({})
export class MessagingModule {
  static forRoot(): DynamicModule {
    return {
      module: MessagingModule,
      imports: [DiscoveryModule],
      providers: [HandlerRegistry, { provide: TRANSPORT, useFactory: () => new InProcessTransport() }, MessageBus, MessagingLifecycle],
      exports: [MessageBus, TRANSPORT],
    };
  }
}
