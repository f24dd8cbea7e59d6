import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@commerce/platform';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { IDENTITY_CONFIG, IdentityConfig } from '../../identity.config';
import { PasswordHasher } from '../../infrastructure/password-hasher';
import { UserRepository } from '../../infrastructure/user.repository';

/** Creates the admin account named by ADMIN_EMAIL / ADMIN_PASSWORD on first start. */
@Injectable()
export class SeedAdminHandler implements OnApplicationBootstrap {
  private readonly logger = new Logger(SeedAdminHandler.name);

  constructor(
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityConfig,
    @InjectDataSource('identity') private readonly dataSource: DataSource,
    private readonly users: UserRepository,
    private readonly hasher: PasswordHasher,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { ADMIN_EMAIL: email, ADMIN_PASSWORD: password } = this.config;
    if (!email || !password || (await this.users.byEmail(email.toLowerCase()))) return;
    const passwordHash = await this.hasher.hash(password);
    await this.dataSource.transaction(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock(hashtext('identity.seed-admin'))`);
      const [exists] = (await m.query(`SELECT 1 FROM identity.app_user WHERE email = $1`, [email.toLowerCase()])) as unknown[];
      if (!exists) await this.users.insert(m, { id: randomUUID(), email: email.toLowerCase(), name: 'Administrator', passwordHash, role: 'admin' });
    });
    this.logger.log({ msg: 'admin account created', email });
  }
}
