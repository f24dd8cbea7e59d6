import { Injectable } from '@nestjs/common';
import type { Profile, Role } from '@commerce/contracts';
import { InjectDataSource } from '@commerce/platform';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { EmailTakenError } from '../domain/identity.errors';

interface UserRow {
  id: string;
  email: string;
  name: string;
  role: Role;
  preferences: Profile['preferences'];
  created_at: Date;
  password_hash: string;
}

const toProfile = (r: UserRow): Profile => ({
  id: r.id,
  email: r.email,
  name: r.name,
  role: r.role,
  preferences: r.preferences,
  createdAt: new Date(r.created_at).toISOString(),
});

/** identity.app_user with parameterised SQL. */
@Injectable()
export class UserRepository {
  constructor(@InjectDataSource('identity') private readonly dataSource: DataSource) {}

  async insert(manager: EntityManager, user: { id: string; email: string; name: string; passwordHash: string; role: Role }): Promise<Profile> {
    try {
      const [row] = (await manager.query(`INSERT INTO identity.app_user (id, email, name, password_hash, role) VALUES ($1, $2, $3, $4, $5) RETURNING *`, [
        user.id,
        user.email,
        user.name,
        user.passwordHash,
        user.role,
      ])) as UserRow[];
      return toProfile(row);
    } catch (error) {
      if (error instanceof QueryFailedError && (error.driverError as { code?: string }).code === '23505') throw new EmailTakenError();
      throw error;
    }
  }

  async byEmail(email: string): Promise<(Profile & { passwordHash: string }) | undefined> {
    const [row] = (await this.dataSource.query(`SELECT * FROM identity.app_user WHERE email = $1`, [email])) as UserRow[];
    return row ? { ...toProfile(row), passwordHash: row.password_hash } : undefined;
  }

  async byId(id: string): Promise<Profile | undefined> {
    const [row] = (await this.dataSource.query(`SELECT * FROM identity.app_user WHERE id = $1`, [id])) as UserRow[];
    return row ? toProfile(row) : undefined;
  }

  async update(id: string, changes: { name?: string; preferences?: Profile['preferences'] }): Promise<Profile | undefined> {
    const [rows] = (await this.dataSource.query(
      `UPDATE identity.app_user SET name = COALESCE($2, name), preferences = COALESCE($3::jsonb, preferences) WHERE id = $1 RETURNING *`,
      [id, changes.name ?? null, changes.preferences ? JSON.stringify(changes.preferences) : null],
    )) as [UserRow[], number];
    return rows[0] ? toProfile(rows[0]) : undefined;
  }
}
