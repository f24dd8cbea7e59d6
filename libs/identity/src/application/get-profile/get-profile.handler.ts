import { Controller } from '@nestjs/common';
import { GetProfile, PayloadOf, Profile, UpdateProfile } from '@commerce/contracts';
import { Handles } from '@commerce/messaging';
import { UserNotFoundError } from '../../domain/identity.errors';
import { UserRepository } from '../../infrastructure/user.repository';

/** Answers and changes a user's profile and preferences. */
@Controller()
export class ProfileHandler {
  constructor(private readonly users: UserRepository) {}

  @Handles(GetProfile)
  async get({ userId }: PayloadOf<typeof GetProfile>): Promise<Profile> {
    const user = await this.users.byId(userId);
    if (!user) throw new UserNotFoundError(userId);
    return user;
  }

  @Handles(UpdateProfile)
  async update({ userId, ...changes }: PayloadOf<typeof UpdateProfile>): Promise<Profile> {
    const user = await this.users.update(userId, changes);
    if (!user) throw new UserNotFoundError(userId);
    return user;
  }
}
