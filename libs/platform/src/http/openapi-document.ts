import type { OpenAPIObject } from '@nestjs/swagger';
import { titleOf } from './problem-details';
import { PUBLIC_EXTENSION } from './public-route.decorator';

type Operation = {
  parameters?: unknown[];
  requestBody?: unknown;
  responses: Record<string, { description: string; content?: Record<string, { schema?: unknown }> }>;
  security?: Record<string, string[]>[];
  [extension: `x-${string}`]: unknown;
};
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/**
 * Completes what decorators cannot say: the server, security on every operation (`security: []`
 * on public ones), and every status the kit's own layers can answer: 401 without a valid token,
 * 400/413/415 for bodies, 400 for parameters, 500 and 503 anywhere (a closing server answers 503),
 * 504 where the edge waits for the bus; every error as application/problem+json.
 */
export function completeOpenApiDocument(document: OpenAPIObject, options: { serverUrl?: string; problemSchema: string }): OpenAPIObject {
  const problem = { 'application/problem+json': { schema: { $ref: `#/components/schemas/${options.problemSchema}` } } };
  const add = (op: Operation, status: number) => {
    op.responses[status] ??= { description: titleOf(status) };
  };
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const op = item[method] as Operation | undefined;
      if (!op) continue;
      if (op[PUBLIC_EXTENSION]) {
        op.security = [];
        delete op[PUBLIC_EXTENSION];
      } else {
        op.security = [{ bearer: [] }];
        add(op, 401);
      }
      if (op.requestBody) [400, 413, 415].forEach((s) => add(op, s));
      if (op.parameters?.length) add(op, 400);
      [500, 503].forEach((s) => add(op, s));
      if (path.startsWith('/api/')) add(op, 504);
      for (const [status, response] of Object.entries(op.responses)) {
        if (Number(status) >= 400) response.content = problem;
      }
    }
  }
  return {
    ...document,
    info: { ...document.info, license: { name: 'MIT', url: 'https://opensource.org/licenses/MIT' } },
    servers: [{ url: options.serverUrl ?? '/', description: options.serverUrl ? 'public address (PUBLIC_URL)' : 'this server' }],
    security: [{ bearer: [] }],
  };
}
