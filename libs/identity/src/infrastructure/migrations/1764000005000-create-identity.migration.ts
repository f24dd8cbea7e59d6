import { MigrationInterface, QueryRunner } from 'typeorm';

/** Users and refresh-token families. */
export class CreateIdentity1764000005000 implements MigrationInterface {
  name = 'CreateIdentity1764000005000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE identity.app_user (
        id uuid PRIMARY KEY,
        email text NOT NULL UNIQUE CHECK (email = lower(email)),
        name text NOT NULL,
        password_hash text NOT NULL,
        role text NOT NULL CHECK (role IN ('customer', 'admin')),
        preferences jsonb NOT NULL DEFAULT '{"channels":["email"],"locale":"en"}',
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE identity.refresh_token (
        token_hash text PRIMARY KEY,
        family_id uuid NOT NULL,
        user_id uuid NOT NULL REFERENCES identity.app_user (id),
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        revoked_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX refresh_token_family_idx ON identity.refresh_token (family_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE identity.refresh_token, identity.app_user`);
  }
}
