import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

/** A stored refresh token (only its hash is kept). */
export interface RefreshTokenRow {
  token_hash: string;
  family_id: string;
  user_id: string;
  expires_at: Date;
  used_at: Date | null;
  revoked_at: Date | null;
}

/** identity.refresh_token: one row per issued token, grouped in families that rotate together. */
@Injectable()
export class RefreshTokenRepository {
  async insert(manager: EntityManager, token: { hash: string; familyId: string; userId: string; ttlSeconds: number }): Promise<void> {
    await manager.query(
      `INSERT INTO identity.refresh_token (token_hash, family_id, user_id, expires_at) VALUES ($1, $2, $3, now() + make_interval(secs => $4))`,
      [token.hash, token.familyId, token.userId, token.ttlSeconds],
    );
  }

  async lock(manager: EntityManager, hash: string): Promise<RefreshTokenRow | undefined> {
    const [row] = (await manager.query(`SELECT * FROM identity.refresh_token WHERE token_hash = $1 FOR UPDATE`, [hash])) as RefreshTokenRow[];
    return row;
  }

  async markUsed(manager: EntityManager, hash: string): Promise<void> {
    await manager.query(`UPDATE identity.refresh_token SET used_at = now() WHERE token_hash = $1`, [hash]);
  }

  async revokeFamily(manager: EntityManager, familyId: string): Promise<void> {
    await manager.query(`UPDATE identity.refresh_token SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL`, [familyId]);
  }
}
