import { DomainError } from '@commerce/contracts';

/** Login failed: unknown email or wrong password, deliberately indistinguishable. */
export class InvalidCredentialsError extends DomainError {
  constructor() {
    super('IDENTITY.INVALID_CREDENTIALS', 'unauthorized', 'Email or password is wrong');
  }
}

/** The refresh token is unknown, expired, revoked or already used. */
export class InvalidRefreshTokenError extends DomainError {
  constructor(reused = false) {
    super(
      reused ? 'IDENTITY.REFRESH_TOKEN_REUSED' : 'IDENTITY.INVALID_REFRESH_TOKEN',
      'unauthorized',
      reused ? 'Refresh token was already used; the session is revoked' : 'Refresh token is not valid',
    );
  }
}

/** The email is already registered. */
export class EmailTakenError extends DomainError {
  constructor() {
    super('IDENTITY.EMAIL_TAKEN', 'conflict', 'An account with this email already exists');
  }
}

/** The password breaks the policy; `details` lists why. */
export class WeakPasswordError extends DomainError {
  constructor(reasons: string[]) {
    super(
      'IDENTITY.WEAK_PASSWORD',
      'invalid',
      'The password is too weak',
      reasons.map((message) => ({ path: 'password', message })),
    );
  }
}

/** No such user. */
export class UserNotFoundError extends DomainError {
  constructor(userId: string) {
    super('IDENTITY.USER_NOT_FOUND', 'not-found', `User ${userId} does not exist`);
  }
}
