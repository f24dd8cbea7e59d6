import { context, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { inSpan, isTracing } from './tracer';

describe('inSpan', () => {
  describe('with no SDK registered', () => {
    it('runs the work with a span that records nothing', async () => {
      expect(isTracing()).toBe(false);
      await expect(inSpan('work', {}, async (span) => span.isRecording())).resolves.toBe(false);
    });

    it('turns a synchronous throw of the work into a rejection, as a traced run does', async () => {
      const work = () => {
        throw new Error('boom');
      };
      const result = inSpan('work', {}, work);
      await expect(result).rejects.toThrow('boom');
    });
  });

  describe('once an SDK is registered, and after it is removed', () => {
    const exporter = new InMemorySpanExporter();
    const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

    afterAll(async () => {
      await provider.shutdown();
    });

    it('records spans while registered and stops when disabled', async () => {
      provider.register();
      expect(isTracing()).toBe(true);
      await expect(inSpan('recorded', {}, async (span) => span.isRecording())).resolves.toBe(true);
      expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['recorded']);
      trace.disable();
      context.disable();
      expect(isTracing()).toBe(false);
      await inSpan('not recorded', {}, async () => undefined);
      expect(exporter.getFinishedSpans()).toHaveLength(1);
    });
  });
});
