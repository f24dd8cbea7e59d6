import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { DomainError } from '@commerce/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ProblemDetails, problemType, STATUS_BY_KIND, titleOf } from './problem-details';
import { RequestValidationError } from './validation.errors';

interface FastifyLikeError {
  statusCode?: number;
  code?: string;
  message?: string;
}

/** Turns any error into an `application/problem+json` response; only unknown errors are 500s. */
export function toProblem(error: unknown, request: FastifyRequest): ProblemDetails {
  const base = { instance: request.url.split('?')[0], requestId: String(request.id) };
  if (error instanceof RequestValidationError) {
    return {
      ...base,
      type: problemType('VALIDATION_FAILED'),
      title: titleOf(400),
      status: 400,
      code: 'VALIDATION_FAILED',
      detail: 'The request is invalid',
      errors: error.errors,
    };
  }
  if (error instanceof DomainError) {
    const status = STATUS_BY_KIND[error.kind];
    const errors = Array.isArray(error.details) ? (error.details as ProblemDetails['errors']) : undefined;
    const detail = status >= 500 && error.kind === 'internal' ? 'An unexpected error occurred' : error.message;
    return { ...base, type: problemType(error.code), title: titleOf(status), status, code: error.code, detail, ...(errors ? { errors } : {}) };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const code = `HTTP.${status}`;
    return { ...base, type: problemType(code), title: titleOf(status), status, code, detail: error.message };
  }
  const fastifyError = error as FastifyLikeError;
  if (typeof fastifyError?.statusCode === 'number' && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    // Fastify's own client errors: malformed JSON, body too large, unsupported media type.
    const status = fastifyError.statusCode;
    const code = fastifyError.code ? `HTTP.${fastifyError.code}` : `HTTP.${status}`;
    return { ...base, type: problemType(code), title: titleOf(status), status, code, detail: fastifyError.message };
  }
  return { ...base, type: problemType('INTERNAL'), title: titleOf(500), status: 500, code: 'INTERNAL', detail: 'An unexpected error occurred' };
}

/** Sends a problem details body with the right content type. */
export function sendProblem(reply: FastifyReply, problem: ProblemDetails, retryAfterSeconds?: number): void {
  if (problem.status === 503) void reply.header('retry-after', String(retryAfterSeconds ?? 5));
  if (problem.status === 401) void reply.header('www-authenticate', 'Bearer');
  if (problem.status === 429 && !reply.hasHeader('retry-after')) {
    // Named throttlers answer Retry-After-<name>; clients and proxies read the standard header.
    const waits = Object.entries(reply.getHeaders())
      .filter(([name]) => name.toLowerCase().startsWith('retry-after-'))
      .map(([, value]) => Number(value));
    void reply.header('retry-after', String(Math.max(1, ...waits.filter(Number.isFinite))));
  }
  void reply.status(problem.status).header('content-type', 'application/problem+json; charset=utf-8').send(problem);
}

/** Global filter: every error leaves the edge as problem+json. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrors');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const problem = toProblem(error, request);
    if (problem.status >= 500) this.logger.error({ msg: 'request failed', status: problem.status, code: problem.code, err: error });
    const retryAfter = (error as DomainError)?.details as { retryAfterSeconds?: number } | undefined;
    sendProblem(http.getResponse<FastifyReply>(), problem, retryAfter?.retryAfterSeconds);
  }
}
