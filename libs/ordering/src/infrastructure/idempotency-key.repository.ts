import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { IdempotencyKeyReusedError } from '../domain/ordering.errors';

/** Remembers which order an Idempotency-Key created, and for which request body (claimed by `OrderStore.place`). */
@Injectable()
export class IdempotencyKeyRepository {
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

  /** The order the key already created, if any; another request under the same key is refused. */
  async find(manager: EntityManager, key: string, requestHash: string): Promise<{ orderId: string; created: false } | undefined> {
    const [row] = (await manager.query(`SELECT request_hash, order_id FROM ordering.idempotency_key WHERE key = $1`, [key])) as {
      request_hash: string;
      order_id: string;
    }[];
    if (!row) return undefined;
    if (row.request_hash !== requestHash) throw new IdempotencyKeyReusedError();
    return { orderId: row.order_id, created: false };
  }
}
