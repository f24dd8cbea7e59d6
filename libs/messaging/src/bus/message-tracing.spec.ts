import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { defineEvent, defineQuery, Envelope, PayloadOf } from '@commerce/contracts';
import { inSpan, PlatformModule } from '@commerce/platform';
import { z } from 'zod';
import { startTestingApp, withEnv } from '../../../../test/support/context-harness';
import { Handles } from '../nest/handles.decorator';
import { MessageContext } from '../nest/message.context';
import { MessagingModule } from '../messaging.module';
import { InProcessTransport } from '../transport/in-process.transport';
import { TRANSPORT } from '../transport/transport';
import { MessageBus } from './message-bus';

const Echo = defineQuery('trace.echo.v1', z.strictObject({ n: z.number() }), z.object({ traced: z.boolean() }));
const Noted = defineEvent('trace.noted.v1', z.object({ n: z.number() }));

@Controller()
class Handlers {
  readonly envelopes: Envelope[] = [];
  @Handles(Echo)
  async echo(@Payload() _: PayloadOf<typeof Echo>, @Ctx() ctx: MessageContext) {
    const envelope = ctx.getEnvelope();
    this.envelopes.push(envelope);
    return { traced: trace.getActiveSpan()?.isRecording() ?? false };
  }
  @Handles(Noted)
  async noted(@Payload() _: PayloadOf<typeof Noted>, @Ctx() ctx: MessageContext) {
    const envelope = ctx.getEnvelope();
    this.envelopes.push(envelope);
  }
}

async function boot() {
  const app = await withEnv({ TRANSPORT: 'in-process' }, async () =>
    startTestingApp(
      await Test.createTestingModule({ imports: [PlatformModule.forRoot(), MessagingModule.forRoot({ service: 'test' })], controllers: [Handlers] }).compile(),
    ),
  );
  return { app, bus: app.get(MessageBus), handlers: app.get(Handlers), transport: app.get<InProcessTransport>(TRANSPORT) };
}

describe('message tracing', () => {
  describe('with tracing off (no SDK registered)', () => {
    it('sends envelopes without trace fields and runs handlers without a recording span', async () => {
      const { app, bus, handlers } = await boot();
      await expect(bus.request(Echo, { n: 1 })).resolves.toEqual({ traced: false });
      expect(handlers.envelopes[0]).not.toHaveProperty('traceparent');
      await app.close();
    });
  });

  describe('with an SDK and an in-memory exporter', () => {
    const exporter = new InMemorySpanExporter();
    const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

    beforeAll(() => provider.register());
    afterAll(async () => {
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    });

    it('puts a PRODUCER span per send and a CONSUMER span per handling in the caller trace, with W3C context in the envelope', async () => {
      const { app, bus, handlers, transport } = await boot();
      await inSpan('caller', {}, async () => {
        await bus.request(Echo, { n: 1 });
        await bus.publish(Noted, { n: 2 });
      });
      await transport.drain();
      await app.close();

      const spans = exporter.getFinishedSpans();
      const caller = spans.find((s) => s.name === 'caller')!;
      const byName = (name: string) => spans.find((s) => s.name === name)!;
      for (const type of ['trace.echo.v1', 'trace.noted.v1']) {
        const producer = byName(`send ${type}`);
        const consumer = byName(`process ${type}`);
        expect(producer.kind).toBe(SpanKind.PRODUCER);
        expect(consumer.kind).toBe(SpanKind.CONSUMER);
        expect(producer.parentSpanContext?.spanId).toBe(caller.spanContext().spanId);
        expect(consumer.parentSpanContext?.spanId).toBe(producer.spanContext().spanId);
        expect(consumer.spanContext().traceId).toBe(caller.spanContext().traceId);
        expect(consumer.attributes).toMatchObject({
          'messaging.system': 'in-process',
          'messaging.destination.name': type,
          'messaging.operation.type': 'process',
        });
      }
      const [sent] = handlers.envelopes;
      expect(sent.traceparent).toBe(`00-${caller.spanContext().traceId}-${byName('send trace.echo.v1').spanContext().spanId}-01`);
    });
  });
});
