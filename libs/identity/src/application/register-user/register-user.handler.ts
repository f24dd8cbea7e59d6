import { Controller } from '@nestjs/common';
import { PayloadOf, Profile, RegisterUser, UserRegistered } from '@commerce/contracts';
import { Handles, UnitOfWork } from '@commerce/messaging';
import { InjectDataSource } from '@commerce/platform';
import isCommonPassword from 'fxa-common-password-list';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { WeakPasswordError } from '../../domain/identity.errors';
import { passwordProblems } from '../../domain/password-policy';
import { PasswordHasher } from '../../infrastructure/password-hasher';
import { UserRepository } from '../../infrastructure/user.repository';

/** Creates a customer account with a hashed password and announces it. */
@Controller()
export class RegisterUserHandler {
  constructor(
    @InjectDataSource('identity') private readonly dataSource: DataSource,
    private readonly users: UserRepository,
    private readonly hasher: PasswordHasher,
    private readonly uow: UnitOfWork,
  ) {}

  @Handles(RegisterUser)
  async handle({ email, password, name }: PayloadOf<typeof RegisterUser>): Promise<Profile> {
    const problems = passwordProblems(password, email, (p) => isCommonPassword.test(p));
    if (problems.length) throw new WeakPasswordError(problems);
    const passwordHash = await this.hasher.hash(password);
    return this.uow.transaction(this.dataSource, async (m, emit) => {
      const profile = await this.users.insert(m, { id: randomUUID(), email, name, passwordHash, role: 'customer' });
      await emit(UserRegistered, { userId: profile.id, email: profile.email, name: profile.name });
      return profile;
    });
  }
}
