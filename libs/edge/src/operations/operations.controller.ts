import { Body, Controller, Get, HttpCode, Inject, Param, PipeTransform, Post, Query, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { SkipThrottle, Throttle, ThrottlerGuard } from '@nestjs/throttler';
import { DomainError, GetOrder, LogIn } from '@commerce/contracts';
import { Transport, TRANSPORT } from '@commerce/messaging';
import { Public, RequestValidationError } from '@commerce/platform';
import type { FastifyReply } from 'fastify';
import { RequireRole } from '../auth/auth.decorators';
import { EDGE_CONFIG, EdgeConfig } from '../edge.config';
import { ResilientBus } from '../resilience/resilient-bus';
import { uuidParam } from '../uuid-param.pipe';
import { loginPage, orderPage, overviewPage } from './operations.pages';
import { OperationsReader } from './operations.reader';
import { OpsAuthFilter } from './ops-auth.filter';
import { CLEARED_COOKIE, sessionCookie } from './ops-session';

const SERVICE = /^[a-z][a-z0-9-]{0,40}$/;
const LETTER_ID = /^[A-Za-z0-9._:-]{1,200}$/;
/** Messages shown after an action; the query names one of these, never free text. */
const FLASH: Record<string, string> = {
  replayed: 'The dead letter was sent back to its handlers.',
  discarded: 'The dead letter was discarded.',
  missing: 'That dead letter is no longer there.',
};

class OpsPathPipe implements PipeTransform<string, string> {
  constructor(
    private readonly rule: RegExp,
    private readonly name: string,
  ) {}
  transform(value: string): string {
    if (!this.rule.test(value)) throw new RequestValidationError([{ path: this.name, message: `${this.name} is malformed` }]);
    return value;
  }
}

/** The operator's pages: plain server-rendered HTML for admins, signed in with a cookie (forms cannot send bearer headers). */
@ApiExcludeController()
@UseFilters(OpsAuthFilter)
@Controller('ops')
export class OperationsController {
  constructor(
    private readonly reader: OperationsReader,
    private readonly bus: ResilientBus,
    @Inject(TRANSPORT) private readonly transport: Transport,
    @Inject(EDGE_CONFIG) private readonly config: EdgeConfig,
  ) {}

  @Get()
  @RequireRole('admin')
  async overview(@Query('done') done: string | undefined, @Res() reply: FastifyReply): Promise<void> {
    this.send(reply, 200, overviewPage(await this.reader.overview(Date.now()), done ? FLASH[done] : undefined));
  }

  @Get('orders/:id')
  @RequireRole('admin')
  async order(@Param('id', uuidParam) id: string, @Res() reply: FastifyReply): Promise<void> {
    this.send(reply, 200, orderPage(await this.bus.request(GetOrder, { orderId: id }), this.config.OPS_TRACE_URL, Date.now()));
  }

  @Post('dead-letters/:service/:id/replay')
  @RequireRole('admin')
  async replay(
    @Param('service', new OpsPathPipe(SERVICE, 'service')) service: string,
    @Param('id', new OpsPathPipe(LETTER_ID, 'id')) id: string,
    @Res() reply: FastifyReply,
  ) {
    this.back(reply, (await this.transport.replay(service, id)) ? 'replayed' : 'missing');
  }

  @Post('dead-letters/:service/:id/discard')
  @RequireRole('admin')
  async discard(
    @Param('service', new OpsPathPipe(SERVICE, 'service')) service: string,
    @Param('id', new OpsPathPipe(LETTER_ID, 'id')) id: string,
    @Res() reply: FastifyReply,
  ) {
    this.back(reply, (await this.transport.discard(service, id)) ? 'discarded' : 'missing');
  }

  @Get('login')
  @Public()
  login(@Res() reply: FastifyReply): void {
    this.send(reply, 200, loginPage());
  }

  @Post('login')
  @Public()
  @HttpCode(303)
  @UseGuards(ThrottlerGuard)
  @Throttle({ auth: {} })
  @SkipThrottle({ orders: true })
  async signIn(@Body() body: Record<string, unknown> | undefined, @Res() reply: FastifyReply): Promise<void> {
    const email = typeof body?.email === 'string' ? body.email.slice(0, 320) : '';
    const password = typeof body?.password === 'string' ? body.password.slice(0, 200) : '';
    try {
      const session = await this.bus.send(LogIn, { email, password });
      const secure = this.config.NODE_ENV === 'production';
      void reply
        .status(303)
        .header('set-cookie', sessionCookie(session.accessToken, session.expiresIn, secure))
        .header('location', '/ops')
        .send();
    } catch (error) {
      if (!(error instanceof DomainError) || (error.kind !== 'unauthorized' && error.kind !== 'invalid')) throw error;
      this.send(reply, 401, loginPage('Wrong email or password.'));
    }
  }

  @Post('logout')
  @Public()
  logout(@Res() reply: FastifyReply): void {
    void reply.status(303).header('set-cookie', CLEARED_COOKIE).header('location', '/ops/login').send();
  }

  private send(reply: FastifyReply, status: number, page: string): void {
    void reply.status(status).header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store').send(page);
  }

  private back(reply: FastifyReply, done: string): void {
    // Post/redirect/get: reloading the overview does not repeat the action.
    void reply.status(303).header('location', `/ops?done=${done}#dead-letters`).send();
  }
}
