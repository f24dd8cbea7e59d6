import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ForbiddenRoleError, UnauthenticatedError } from '../auth/auth.errors';
import { html, layout } from './html';

/** On the operator's pages: no session goes to the sign-in form, a customer's session gets a 403 page. */
@Catch(UnauthenticatedError, ForbiddenRoleError)
export class OpsAuthFilter implements ExceptionFilter {
  catch(error: UnauthenticatedError | ForbiddenRoleError, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (error instanceof UnauthenticatedError) {
      void reply.status(303).header('location', '/ops/login').send();
      return;
    }
    const page = layout(
      'Forbidden',
      html`<section>
        <h2>403: operators only</h2>
        <p>This page needs the admin role.</p>
      </section>`,
    );
    void reply.status(403).header('content-type', 'text/html; charset=utf-8').send(page);
  }
}
