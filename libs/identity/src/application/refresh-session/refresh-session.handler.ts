import { Controller, Inject, Logger } from '@nestjs/common';
import { PayloadOf, RefreshSession, Session } from '@commerce/contracts';
import { Handles } from '@commerce/messaging';
import { InjectDataSource } from '@commerce/platform';
import { DataSource } from 'typeorm';
import { InvalidRefreshTokenError, UserNotFoundError } from '../../domain/identity.errors';
import { IDENTITY_CONFIG, IdentityConfig } from '../../identity.config';
import { RefreshTokenRepository } from '../../infrastructure/refresh-token.repository';
import { TokenIssuer } from '../../infrastructure/token-issuer';
import { UserRepository } from '../../infrastructure/user.repository';

/** Rotates a refresh token. Presenting a token that was already used revokes its whole family. */
@Controller()
export class RefreshSessionHandler {
  private readonly logger = new Logger(RefreshSessionHandler.name);

  constructor(
    @InjectDataSource('identity') private readonly dataSource: DataSource,
    private readonly users: UserRepository,
    private readonly tokens: RefreshTokenRepository,
    private readonly issuer: TokenIssuer,
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityConfig,
  ) {}

  @Handles(RefreshSession)
  async handle({ refreshToken }: PayloadOf<typeof RefreshSession>): Promise<Session> {
    const outcome = await this.dataSource.transaction(async (m) => {
      const row = await this.tokens.lock(m, TokenIssuer.hashOf(refreshToken));
      if (!row || row.revoked_at || row.expires_at.getTime() < Date.now()) return { error: new InvalidRefreshTokenError() };
      if (row.used_at) {
        await this.tokens.revokeFamily(m, row.family_id);
        return { error: new InvalidRefreshTokenError(true), family: row.family_id };
      }
      await this.tokens.markUsed(m, row.token_hash);
      const next = TokenIssuer.refreshToken();
      await this.tokens.insert(m, { hash: next.hash, familyId: row.family_id, userId: row.user_id, ttlSeconds: this.config.REFRESH_TOKEN_TTL_S });
      return { userId: row.user_id, token: next.token };
    });
    if ('error' in outcome) {
      if (outcome.family) this.logger.warn({ msg: 'refresh token reused; session family revoked', family: outcome.family });
      throw outcome.error;
    }
    const user = await this.users.byId(outcome.userId);
    if (!user) throw new UserNotFoundError(outcome.userId);
    return this.issuer.session(user, outcome.token);
  }
}
