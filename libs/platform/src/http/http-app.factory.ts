import { Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import { PlatformConfig } from '../config/platform.config';
import { createAccessLogger } from '../logging/logger';
import { PinoNestLogger } from '../logging/pino-nest.logger';
import { observeHttp } from '../metrics/http-metrics';
import { MetricsRegistry } from '../metrics/metrics.registry';
import { nameServerSpans } from '../tracing/http-tracing';
import { activeTraceIds } from '../tracing/tracer';
import { RequestContext } from '../logging/request-context';
import { completeOpenApiDocument } from './openapi-document';
import { ProblemDetailsFilter } from './problem-details.filter';
import { ProblemDto } from './problem.dto';
import { RequestValidationPipe } from './request-validation.pipe';
import { securityHeaders } from './security-headers';
import { RequestValidationError } from './validation.errors';

/** What an app tells the bootstrap about itself. */
export interface HttpAppOptions {
  /** Shown in logs and as the OpenAPI title. */
  title: string;
  config: PlatformConfig;
  logger: Logger;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,100}$/;

/** Helmet's headers on every response; Swagger UI loads its own script and inline styles from this origin. */
const SECURITY_HEADERS = securityHeaders({
  contentSecurityPolicy: {
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      upgradeInsecureRequests: null,
    },
  },
});

function requestIdOf(req: IncomingMessage): string {
  const header = req.headers['x-request-id'];
  return typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
}

/** Builds a Nest app on Fastify with the kit's HTTP conventions; does not listen. */
export async function createHttpApp(rootModule: Type<unknown>, options: HttpAppOptions): Promise<NestFastifyApplication> {
  const { config, logger } = options;
  const adapter = new FastifyAdapter({
    bodyLimit: config.BODY_LIMIT_BYTES,
    genReqId: requestIdOf,
    trustProxy: false,
    return503OnClosing: true,
  });
  const fastify = adapter.getInstance();
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.headers(SECURITY_HEADERS).header('x-request-id', request.id);
    RequestContext.run({ requestId: String(request.id), correlationId: String(request.id) }, done);
  });
  const accessLog = createAccessLogger(logger);
  fastify.addHook('onResponse', (request, reply, done) => {
    // The ids every line carries, given here rather than merged in by a mixin (see createAccessLogger).
    const correlationId = RequestContext.current()?.correlationId ?? request.id;
    accessLog.info(
      {
        requestId: request.id,
        correlationId,
        ...activeTraceIds(),
        method: request.method,
        url: request.url,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      'request completed',
    );
    done();
  });

  const app = await NestFactory.create<NestFastifyApplication>(rootModule, adapter, {
    logger: new PinoNestLogger(logger),
    abortOnError: false,
    // Fastify parses JSON itself; Nest's extra urlencoded parser would accept form bodies this API does not speak.
    bodyParser: false,
  });
  observeHttp(fastify, app.get(MetricsRegistry));
  nameServerSpans(fastify);
  // No origins configured means no CORS headers and no preflight answers, which is what not registering the plugin gives, without its per-request hook.
  if (config.CORS_ORIGINS.length > 0) app.enableCors({ origin: config.CORS_ORIGINS });
  app.useGlobalPipes(
    new RequestValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
      transform: true,
      exceptionFactory: RequestValidationError.fromValidationErrors,
    }),
  );
  app.useGlobalFilters(new ProblemDetailsFilter());
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);

  if (config.SWAGGER_ENABLED) {
    const document = completeOpenApiDocument(
      SwaggerModule.createDocument(
        app,
        new DocumentBuilder().setTitle(options.title).setDescription('commerce-kit HTTP API').setVersion('1').addBearerAuth().build(),
        {
          extraModels: [ProblemDto],
        },
      ),
      { serverUrl: config.PUBLIC_URL, problemSchema: 'ProblemDto' },
    );
    SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json', yamlDocumentUrl: 'docs-yaml' });
  }
  return app;
}
