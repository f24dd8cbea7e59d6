import type { Envelope, GrpcServiceDefinition } from '@commerce/contracts';
import type { MetricsRegistry } from '@commerce/platform';
import { Metadata, status as Status, type ServiceError } from '@grpc/grpc-js';
import { ClientGrpcProxy } from '@nestjs/microservices';
import type { Histogram } from 'prom-client';
import { lastValueFrom, type Observable } from 'rxjs';
import type { RequestRoute } from '../bus/request-route';
import { fromGrpcError } from './grpc-errors';
import { metadataEntries } from './grpc-metadata';
import { PROTO_LOADER_OPTIONS } from './grpc-proto';

type UnaryCall = (request: unknown, metadata: Metadata, options: { deadline: number }) => Observable<unknown>;

const CHANNEL_OPTIONS = {
  // With a dns:/// target naming every replica (a headless Service), calls spread over all of them.
  'grpc.service_config': JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] }),
  // A restarted server is found again within two seconds, not after grpc-js's default backoff of up to two minutes.
  'grpc.initial_reconnect_backoff_ms': 250,
  'grpc.max_reconnect_backoff_ms': 2000,
};

function metadataOf(envelope: Envelope): Metadata {
  const metadata = new Metadata();
  for (const [key, value] of metadataEntries(envelope)) metadata.set(key, value);
  return metadata;
}

const isServiceError = (error: unknown): error is ServiceError =>
  error instanceof Error && typeof (error as ServiceError).code === 'number' && 'metadata' in error;

/**
 * A context's queries over gRPC, through Nest's ClientGrpc: the validated payload is the request,
 * the envelope rides as metadata, the bus's timeout is the call's deadline, and a failure comes
 * back as the DomainError the server sent (or the one its status stands for).
 */
export class GrpcQueryRoute implements RequestRoute {
  readonly name = 'grpc';
  readonly types: readonly string[];
  private readonly client: ClientGrpcProxy;
  private readonly service: Record<string, UnaryCall>;
  private readonly rpcOf: ReadonlyMap<string, string>;
  private readonly duration?: Histogram<'method' | 'code'>;

  constructor(
    private readonly definition: GrpcServiceDefinition,
    readonly target: string,
    metrics?: MetricsRegistry,
  ) {
    this.rpcOf = new Map(Object.entries(definition.methods).map(([rpc, contract]) => [contract.type, rpc]));
    this.types = [...this.rpcOf.keys()];
    this.client = new ClientGrpcProxy({
      package: definition.package,
      protoPath: definition.protoPath,
      url: target,
      loader: PROTO_LOADER_OPTIONS,
      channelOptions: CHANNEL_OPTIONS,
    });
    this.service = this.client.getService<Record<string, UnaryCall>>(definition.service);
    this.duration = metrics?.histogram('commerce_grpc_client_duration_seconds', 'gRPC calls this process made, by method and status', ['method', 'code']);
  }

  async request(envelope: Envelope, timeoutMs: number): Promise<unknown> {
    const rpc = this.rpcOf.get(envelope.type);
    if (!rpc) throw new Error(`${this.definition.service} carries no ${envelope.type}`);
    const end = this.duration?.startTimer({ method: `${this.definition.package}.${this.definition.service}/${rpc}` });
    try {
      const result = await lastValueFrom(this.service[rpc](envelope.payload, metadataOf(envelope), { deadline: Date.now() + timeoutMs }));
      end?.({ code: 'OK' });
      return { ok: true, result };
    } catch (error) {
      if (!isServiceError(error)) throw error;
      end?.({ code: Status[error.code] ?? String(error.code) });
      throw fromGrpcError(error, { type: envelope.type, timeoutMs });
    }
  }

  async close(): Promise<void> {
    this.client.close();
  }
}
