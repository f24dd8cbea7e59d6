import { Controller, Inject } from '@nestjs/common';
import { LogIn, PayloadOf, Session } from '@commerce/contracts';
import { Handles } from '@commerce/messaging';
import { InjectDataSource } from '@commerce/platform';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { IDENTITY_CONFIG, IdentityConfig } from '../../identity.config';
import { InvalidCredentialsError } from '../../domain/identity.errors';
import { PasswordHasher } from '../../infrastructure/password-hasher';
import { RefreshTokenRepository } from '../../infrastructure/refresh-token.repository';
import { TokenIssuer } from '../../infrastructure/token-issuer';
import { UserRepository } from '../../infrastructure/user.repository';

/** Starts a session. An unknown email still pays for a full hash check, so both failures look and take alike. */
@Controller()
export class LogInHandler {
  constructor(
    @InjectDataSource('identity') private readonly dataSource: DataSource,
    private readonly users: UserRepository,
    private readonly tokens: RefreshTokenRepository,
    private readonly hasher: PasswordHasher,
    private readonly issuer: TokenIssuer,
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityConfig,
  ) {}

  @Handles(LogIn)
  async handle({ email, password }: PayloadOf<typeof LogIn>): Promise<Session> {
    const user = await this.users.byEmail(email);
    if (!(await this.hasher.verify(password, user?.passwordHash)) || !user) throw new InvalidCredentialsError();
    const refresh = TokenIssuer.refreshToken();
    await this.dataSource.transaction((m) =>
      this.tokens.insert(m, { hash: refresh.hash, familyId: randomUUID(), userId: user.id, ttlSeconds: this.config.REFRESH_TOKEN_TTL_S }),
    );
    return this.issuer.session(user, refresh.token);
  }
}
