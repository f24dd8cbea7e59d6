import { Controller } from '@nestjs/common';
import { LogOut, PayloadOf, ResultOf } from '@commerce/contracts';
import { Handles } from '@commerce/messaging';
import { InjectDataSource } from '@commerce/platform';
import { DataSource } from 'typeorm';
import { RefreshTokenRepository } from '../../infrastructure/refresh-token.repository';
import { TokenIssuer } from '../../infrastructure/token-issuer';

/** Revokes the session a refresh token belongs to; an unknown token is not an error. */
@Controller()
export class LogOutHandler {
  constructor(
    @InjectDataSource('identity') private readonly dataSource: DataSource,
    private readonly tokens: RefreshTokenRepository,
  ) {}

  @Handles(LogOut)
  handle({ refreshToken }: PayloadOf<typeof LogOut>): Promise<ResultOf<typeof LogOut>> {
    return this.dataSource.transaction(async (m) => {
      const row = await this.tokens.lock(m, TokenIssuer.hashOf(refreshToken));
      if (row) await this.tokens.revokeFamily(m, row.family_id);
      return { loggedOut: true };
    });
  }
}
