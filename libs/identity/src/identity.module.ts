import { Module } from '@nestjs/common';
import { PersistenceModule } from '@commerce/platform';
import { ProfileHandler } from './application/get-profile/get-profile.handler';
import { LogInHandler } from './application/log-in/log-in.handler';
import { LogOutHandler } from './application/log-out/log-out.handler';
import { RefreshSessionHandler } from './application/refresh-session/refresh-session.handler';
import { RegisterUserHandler } from './application/register-user/register-user.handler';
import { SeedAdminHandler } from './application/seed-admin/seed-admin.handler';
import { IDENTITY_CONFIG, loadIdentityConfig } from './identity.config';
import { identityDatabase } from './infrastructure/identity.database';
import { PasswordHasher } from './infrastructure/password-hasher';
import { RefreshTokenRepository } from './infrastructure/refresh-token.repository';
import { TokenIssuer } from './infrastructure/token-issuer';
import { UserRepository } from './infrastructure/user.repository';

/** The identity context: accounts, password login, rotating refresh tokens, profiles. */
@Module({
  imports: [PersistenceModule.forContext(identityDatabase)],
  providers: [
    { provide: IDENTITY_CONFIG, useFactory: () => loadIdentityConfig() },
    PasswordHasher,
    TokenIssuer,
    UserRepository,
    RefreshTokenRepository,
    SeedAdminHandler,
  ],
  // Message handlers: Nest registers their @Handles patterns from a module's controllers.
  controllers: [RegisterUserHandler, LogInHandler, RefreshSessionHandler, LogOutHandler, ProfileHandler],
})
export class IdentityModule {}
