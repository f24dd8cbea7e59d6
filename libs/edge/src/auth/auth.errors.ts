import { DomainError } from '@commerce/contracts';

/** No valid bearer token (missing, malformed, expired, tampered or of the wrong algorithm). */
export class UnauthenticatedError extends DomainError {
  constructor() {
    super('AUTH.UNAUTHENTICATED', 'unauthorized', 'A valid bearer token is required');
  }
}

/** The token is valid but its role may not do this. */
export class ForbiddenRoleError extends DomainError {
  constructor(role: string) {
    super('AUTH.FORBIDDEN', 'forbidden', `This needs the ${role} role`);
  }
}
