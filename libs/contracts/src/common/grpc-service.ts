import { MessageContract } from './contract';

/**
 * A context's queries offered over gRPC as well as over the bus: the proto service and the query
 * contract each of its rpcs carries. The proto mirrors the contracts' schemas field for field; the
 * zod schemas stay the rule on both ends, so a message is validated exactly as on the bus.
 */
export interface GrpcServiceDefinition {
  /** The owning context; callers choose the route with `<CONTEXT>_QUERIES` and `<CONTEXT>_GRPC_URL`. */
  readonly context: string;
  /** The proto package, e.g. `commerce.catalog.v1`. */
  readonly package: string;
  /** The service name inside the package. */
  readonly service: string;
  /** Absolute path of the `.proto` file (shipped beside the compiled contracts). */
  readonly protoPath: string;
  /** rpc name → the query it carries. */
  readonly methods: Readonly<Record<string, MessageContract<'query'>>>;
}

/** Checks that every rpc carries a query of the owning context, and freezes the definition. */
export function defineGrpcService(definition: GrpcServiceDefinition): GrpcServiceDefinition {
  for (const [rpc, contract] of Object.entries(definition.methods)) {
    if (contract.kind !== 'query') throw new Error(`${definition.service}.${rpc} carries ${contract.type}, which is not a query`);
    if (!contract.type.startsWith(`${definition.context}.`))
      throw new Error(`${definition.service}.${rpc} carries ${contract.type}, not a ${definition.context} query`);
  }
  return Object.freeze({ ...definition, methods: Object.freeze({ ...definition.methods }) });
}
