import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { GroupCommit } from '@commerce/messaging';
import { InjectDataSource, PreparedRead } from '@commerce/platform';
import { DataSource } from 'typeorm';
import { IdempotencyKeyReusedError } from '../domain/ordering.errors';

interface KeyRow {
  key: string;
  request_hash: string;
  order_id: string;
}

const KEYS = new PreparedRead<KeyRow>(
  'ordering.idempotency-keys',
  `SELECT key, request_hash, order_id FROM ordering.idempotency_key WHERE key = ANY($1::text[])`,
);

/** Remembers which order an Idempotency-Key created, and for which request body (claimed by `OrderStore.place`). */
@Injectable()
export class IdempotencyKeyRepository {
  /** Lookups arriving while one is in flight go together in the next (GroupCommit batches these reads). */
  private readonly lookups: GroupCommit<string, KeyRow | undefined>;

  constructor(@InjectDataSource('ordering') dataSource: DataSource) {
    this.lookups = new GroupCommit(async (keys) => {
      const rows = await KEYS.rows(dataSource, [keys]);
      const byKey = new Map(rows.map((r) => [r.key, r]));
      return keys.map((k) => byKey.get(k));
    });
  }

  /** A stable hash of the request (key order does not matter). */
  static hash(request: unknown): string {
    const canonical = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(canonical)
        : v && typeof v === 'object'
          ? Object.fromEntries(
              Object.entries(v)
                .sort(([a], [b]) => a.localeCompare(b))
                .map(([k, x]) => [k, canonical(x)]),
            )
          : v;
    return createHash('sha256')
      .update(JSON.stringify(canonical(request)))
      .digest('hex');
  }

  /**
   * The order the key already created, if any; another request under the same key is refused.
   * Keys of concurrent placements are looked up together, by one prepared statement.
   */
  async find(key: string, requestHash: string): Promise<{ orderId: string; created: false } | undefined> {
    const row = await this.lookups.submit(key);
    if (!row) return undefined;
    if (row.request_hash !== requestHash) throw new IdempotencyKeyReusedError();
    return { orderId: row.order_id, created: false };
  }
}
