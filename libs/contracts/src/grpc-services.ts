import { CatalogQueriesGrpc } from './catalog/catalog.grpc';
import type { GrpcServiceDefinition } from './common/grpc-service';

/** Every context's gRPC query service; a caller may reach each over gRPC when configured to. */
export const GRPC_SERVICES: readonly GrpcServiceDefinition[] = [CatalogQueriesGrpc];
