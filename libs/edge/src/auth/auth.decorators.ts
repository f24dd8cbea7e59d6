import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiForbiddenResponse } from '@nestjs/swagger';
import { ProblemDto } from '@commerce/platform';
import type { Role } from '@commerce/contracts';

/** The caller, as the verified access token says. */
export interface AuthUser {
  id: string;
  role: Role;
  email: string;
}

/** Metadata key read by AuthGuard. */
export const REQUIRED_ROLE = 'commerce:role';

export { Public, PUBLIC_ROUTE } from '@commerce/platform';

/** The route needs a token with this role (403 otherwise, as its OpenAPI operation says). */
export const RequireRole = (role: Role) =>
  applyDecorators(SetMetadata(REQUIRED_ROLE, role), ApiForbiddenResponse({ type: ProblemDto, description: `needs the ${role} role` }));

/** Injects the authenticated caller. */
export const CurrentUser = createParamDecorator((_data: unknown, ctx: ExecutionContext): AuthUser => ctx.switchToHttp().getRequest<{ user: AuthUser }>().user);
