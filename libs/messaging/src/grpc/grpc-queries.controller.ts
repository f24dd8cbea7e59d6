import { Controller, Inject, Type } from '@nestjs/common';
import { GrpcMethod, RpcException } from '@nestjs/microservices';
import type { GrpcServiceDefinition, MessageContract } from '@commerce/contracts';
import { MetricsRegistry } from '@commerce/platform';
import type { Metadata } from '@grpc/grpc-js';
import { MessageDispatcher } from '../bus/message-dispatcher';
import { MessagingMetrics } from '../bus/messaging.metrics';
import { HandlerRegistry } from '../handlers/handler-registry';
import { envelopeOf } from './grpc-metadata';

// Loaded on the first failed call: @grpc/grpc-js (about 0.1 s) is required only by processes that use gRPC.
const grpcErrors = () => import('./grpc-errors');

/** Answers the rpcs of one gRPC service with this process's bus handlers. */
abstract class GrpcQueriesController {
  private readonly dispatcher: MessageDispatcher;

  constructor(registry: HandlerRegistry, metrics: MetricsRegistry) {
    this.dispatcher = new MessageDispatcher(registry, new MessagingMetrics(metrics), 'grpc');
  }

  /** Runs the query's handler exactly as a bus delivery would (validation, context, spans, metrics). */
  async answer(contract: MessageContract, request: unknown, metadata: Metadata): Promise<unknown> {
    const reply = await this.dispatcher.answerEnvelope(envelopeOf(contract, request, metadata));
    if (reply.ok) return reply.result;
    throw new RpcException((await grpcErrors()).toGrpcError(reply.error));
  }
}

/**
 * A Nest controller with one `@GrpcMethod` per rpc of the service, each delegating to the handler
 * of the query it carries: the query logic stays in the context's handlers, written once.
 */
export function grpcQueriesController(definition: GrpcServiceDefinition): Type<unknown> {
  @Controller()
  class ServiceController extends GrpcQueriesController {
    constructor(@Inject(HandlerRegistry) registry: HandlerRegistry, @Inject(MetricsRegistry) metrics: MetricsRegistry) {
      super(registry, metrics);
    }
  }
  for (const [rpc, contract] of Object.entries(definition.methods)) {
    Object.defineProperty(ServiceController.prototype, rpc, {
      value: function (this: ServiceController, request: unknown, metadata: Metadata) {
        return this.answer(contract, request, metadata);
      },
    });
    GrpcMethod(definition.service, rpc)(ServiceController.prototype, rpc, Object.getOwnPropertyDescriptor(ServiceController.prototype, rpc)!);
  }
  Object.defineProperty(ServiceController, 'name', { value: `${definition.service}GrpcController` });
  return ServiceController;
}
