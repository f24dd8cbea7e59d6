import { trace } from '@opentelemetry/api';
import type { FastifyInstance } from 'fastify';

/** Names the HTTP server span (from the http instrumentation) by the route template Fastify matched. */
export function nameServerSpans(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, _reply, done) => {
    const span = trace.getActiveSpan();
    // routeOptions builds an object per read: only when there is a span to name.
    const route = span && request.routeOptions.url;
    if (span && route) {
      span.updateName(`${request.method} ${route}`);
      span.setAttribute('http.route', route);
    }
    done();
  });
}
