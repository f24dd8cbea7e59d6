import { Inject, Injectable, OnModuleInit, Provider } from '@nestjs/common';
import type { GrpcServiceDefinition } from '@commerce/contracts';
import { MetricsRegistry, MicroserviceRegistry, PLATFORM_CONFIG, PlatformConfig } from '@commerce/platform';
import { REQUEST_ROUTES, RequestRoute, RequestRouter } from '../bus/request-route';
import { HandlerRegistry } from '../handlers/handler-registry';
import { GrpcConfig, loadGrpcConfig } from './grpc.config';
import { grpcServerOptions } from './grpc-proto';

const GRPC_CONFIG = Symbol('GRPC_CONFIG');
const SERVED_GRPC = Symbol('SERVED_GRPC');

/** Asks the app to serve this process's gRPC services beside HTTP (see MicroserviceRegistry). */
@Injectable()
class GrpcServerRegistration implements OnModuleInit {
  constructor(
    private readonly servers: MicroserviceRegistry,
    @Inject(PLATFORM_CONFIG) private readonly platform: PlatformConfig,
    @Inject(GRPC_CONFIG) private readonly config: GrpcConfig,
    @Inject(SERVED_GRPC) private readonly served: readonly GrpcServiceDefinition[],
  ) {}

  onModuleInit(): void {
    if (this.served.length > 0) this.servers.add(grpcServerOptions(this.served, this.platform.HOST, this.config.port));
  }
}

/**
 * The gRPC side of the messaging module: the request router with a route per context configured
 * for gRPC (`<CONTEXT>_QUERIES=grpc`), and the server of the services this process answers.
 */
export function grpcProviders(served: readonly GrpcServiceDefinition[], reachable: readonly GrpcServiceDefinition[]): Provider[] {
  return [
    { provide: SERVED_GRPC, useValue: served },
    { provide: GRPC_CONFIG, useFactory: () => loadGrpcConfig(reachable) },
    {
      provide: REQUEST_ROUTES,
      inject: [GRPC_CONFIG, MetricsRegistry],
      useFactory: async (config: GrpcConfig, metrics: MetricsRegistry): Promise<RequestRoute[]> => {
        const overGrpc = reachable.filter((s) => config.routes[s.context].queries === 'grpc');
        if (overGrpc.length === 0) return [];
        // Only a process that calls over gRPC loads @grpc/grpc-js (about 0.1 s of start-up).
        const { GrpcQueryRoute } = await import('./grpc-query-route');
        return overGrpc.map((s) => new GrpcQueryRoute(s, config.routes[s.context].url, metrics));
      },
    },
    {
      provide: RequestRouter,
      inject: [REQUEST_ROUTES, HandlerRegistry],
      useFactory: (routes: RequestRoute[], registry: HandlerRegistry) => new RequestRouter(routes, registry),
    },
    GrpcServerRegistration,
  ];
}
