import type { GrpcServiceDefinition } from '@commerce/contracts';
import type { GrpcOptions } from '@nestjs/microservices';
import { Transport } from '@nestjs/microservices';

/**
 * How protobuf messages become objects: camelCase fields (created_at → createdAt), 64-bit integers
 * as numbers (the contracts keep amounts within 2^53), absent scalars and lists as their defaults;
 * an absent `optional` field stays absent, as the contracts' optional fields expect.
 */
export const PROTO_LOADER_OPTIONS = { keepCase: false, longs: Number, enums: String, defaults: true, arrays: true } as const;

/** Nest's gRPC server options for the given services, listening on host:port. */
export function grpcServerOptions(services: readonly GrpcServiceDefinition[], host: string, port: number): GrpcOptions {
  return {
    transport: Transport.GRPC,
    options: {
      package: services.map((s) => s.package),
      protoPath: services.map((s) => s.protoPath),
      url: `${host.includes(':') ? `[${host}]` : host}:${port}`,
      loader: PROTO_LOADER_OPTIONS,
      // On shutdown, calls in flight finish; new ones are refused.
      gracefulShutdown: true,
    },
  };
}
