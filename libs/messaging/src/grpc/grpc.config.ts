import { GRPC_SERVICES, GrpcServiceDefinition } from '@commerce/contracts';
import { env, loadConfig } from '@commerce/platform';
import { z } from 'zod';

/** A gRPC target: host:port, [ipv6]:port, optionally behind dns:/// (which round-robins over every address). */
const target = z
  .string()
  .regex(/^(dns:\/\/\/)?(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'expected host:port, optionally with dns:///, such as catalog:50051');

const routeVariables = (services: readonly GrpcServiceDefinition[]) =>
  Object.fromEntries(
    services.flatMap((s) => {
      const name = s.context.toUpperCase();
      return [
        [`${name}_QUERIES`, z.enum(['bus', 'grpc'], { message: 'expected bus or grpc' }).default('bus')],
        [`${name}_GRPC_URL`, target.default('127.0.0.1:50051')],
      ];
    }),
  );

/**
 * The variables this namespace reads: GRPC_PORT, where a service that serves gRPC listens (on HOST),
 * and per context with a gRPC service, `<CONTEXT>_QUERIES` (bus or grpc) and `<CONTEXT>_GRPC_URL`.
 */
export const grpcConfigSchema = z.object({
  GRPC_PORT: env.int(1, 65535).default(50051),
  ...routeVariables(GRPC_SERVICES),
});

/** How this process reaches one context's queries. */
export interface GrpcRouteConfig {
  queries: 'bus' | 'grpc';
  url: string;
}

/** The gRPC namespace: the port this process serves on, and the route to each context's queries. */
export interface GrpcConfig {
  port: number;
  routes: Record<string, GrpcRouteConfig>;
}

/** Reads the gRPC namespace for the given services (by default every one in the contracts). */
export function loadGrpcConfig(
  services: readonly GrpcServiceDefinition[] = GRPC_SERVICES,
  source: Record<string, string | undefined> = process.env,
): GrpcConfig {
  const parsed = loadConfig(z.object({ GRPC_PORT: grpcConfigSchema.shape.GRPC_PORT, ...routeVariables(services) }), source) as Record<string, unknown>;
  const routes = Object.fromEntries(
    services.map((s) => {
      const name = s.context.toUpperCase();
      return [s.context, { queries: parsed[`${name}_QUERIES`], url: parsed[`${name}_GRPC_URL`] } as GrpcRouteConfig];
    }),
  );
  return { port: parsed.GRPC_PORT as number, routes };
}
