import type { FastifyInstance } from 'fastify';
import { MetricsRegistry } from './metrics.registry';

/**
 * Counts and times every HTTP request by method, route template and status. The route is the
 * template Fastify matched (`/api/orders/:id`), never the raw URL, so ids cannot become labels;
 * a request that matched no route is `unmatched`.
 */
export function observeHttp(fastify: FastifyInstance, metrics: MetricsRegistry): void {
  const duration = metrics.histogram('http_server_request_duration_seconds', 'HTTP requests served, by route template and status', [
    'method',
    'route',
    'status_code',
  ]);
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    duration.observe({ method: request.method, route, status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
    done();
  });
}
