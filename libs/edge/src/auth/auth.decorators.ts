import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
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

/** The route needs a token with this role. */
export const RequireRole = (role: Role) => SetMetadata(REQUIRED_ROLE, role);

/** Injects the authenticated caller. */
export const CurrentUser = createParamDecorator((_data: unknown, ctx: ExecutionContext): AuthUser => ctx.switchToHttp().getRequest<{ user: AuthUser }>().user);
