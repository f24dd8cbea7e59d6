import { Injectable } from '@nestjs/common';
import { MessageContract, PayloadOf } from '@commerce/contracts';
import { RequestContext } from '@commerce/platform';
import { DataSource, EntityManager } from 'typeorm';
import { MessageBus } from '../bus/message-bus';
import { OutboxMessage, OutboxRelay } from './outbox-relay';
import { schemaOf } from './schema-of';

/** Records an event in the outbox of the current transaction. */
export type Emit = <C extends MessageContract<'event'>>(contract: C, payload: PayloadOf<C>) => Promise<void>;

/** An event as its outbox row, for a caller that writes state and outbox in one statement of its own. */
export type OutboxRow = OutboxMessage;

/**
 * One local transaction for state and messages. Events emitted inside it are written to the
 * context's outbox and shipped after commit; when it runs inside an event handler, the message id
 * is recorded in the inbox in the same transaction, so a redelivery has no second effect.
 */
@Injectable()
export class UnitOfWork {
  constructor(
    private readonly bus: MessageBus,
    private readonly relay: OutboxRelay,
  ) {}

  /**
   * Runs `work` in a transaction whose emitted events go through the outbox. `emit` validates and
   * envelopes the event at once (a bad payload fails the work where it was emitted); the rows are
   * written together, in one statement, when the work is done and before the commit, so a
   * transaction costs one round trip for its events however many it emits.
   */
  async transaction<T>(dataSource: DataSource, work: (manager: EntityManager, emit: Emit) => Promise<T>): Promise<T> {
    let emitted: OutboxRow[] = [];
    const result = await dataSource.transaction(async (manager) => {
      const rows: OutboxRow[] = [];
      const emit: Emit = async (contract, payload) => {
        rows.push(this.outboxRow(contract, payload));
      };
      const done = await work(manager, emit);
      if (rows.length > 0) await this.insertRows(manager, schemaOf(dataSource), rows);
      emitted = rows;
      return done;
    });
    this.relay.shipCommitted(dataSource, emitted);
    return result;
  }

  /** Writes outbox rows in one statement, `created_at` strictly increasing in emit order (the relay ships by it). */
  private async insertRows(manager: EntityManager, schema: string, rows: OutboxRow[]): Promise<void> {
    await manager.query(
      `INSERT INTO ${schema}.outbox (id, type, envelope, created_at)
       SELECT m.id, m.type, m.envelope, clock_timestamp() + (m.ord - 1) * interval '1 microsecond'
       FROM unnest($1::uuid[], $2::text[], $3::text[]) WITH ORDINALITY AS m(id, type, envelope, ord)
       ORDER BY m.ord`,
      [rows.map((r) => r.id), rows.map((r) => r.type), rows.map((r) => r.envelope)],
    );
  }

  /** The outbox row of an event (validated and enveloped as `emit` does); the caller writes it with its state, then calls `written`. */
  outboxRow<C extends MessageContract<'event'>>(contract: C, payload: PayloadOf<C>): OutboxRow {
    const envelope = this.bus.envelope(contract, payload);
    return { id: envelope.id, type: envelope.type, envelope: JSON.stringify(envelope) };
  }

  /**
   * Ships outbox rows the caller wrote with its own statement, once that committed: `rows` exactly
   * as written (those the statement did not insert left out) are published at once; without them
   * the relay claims whatever is unsent.
   */
  written(dataSource: DataSource, rows?: readonly OutboxRow[]): void {
    if (rows) this.relay.shipCommitted(dataSource, rows);
    else this.relay.kick(dataSource);
  }

  /**
   * For event handlers: applies `work` at most once per (message, handler). Returns false, and
   * does nothing, when this handler has already processed the message being handled.
   */
  async once(dataSource: DataSource, work: (manager: EntityManager, emit: Emit) => Promise<void>): Promise<boolean> {
    const ctx = RequestContext.current();
    if (!ctx?.causationId || !ctx.handlerName) throw new Error('UnitOfWork.once must run inside a message handler');
    return this.transaction(dataSource, async (manager, emit) => {
      const claimed = (await manager.query(
        `INSERT INTO ${schemaOf(dataSource)}.inbox (message_id, handler) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING message_id`,
        [ctx.causationId, ctx.handlerName],
      )) as unknown[];
      if (claimed.length === 0) return false;
      await work(manager, emit);
      return true;
    });
  }
}
