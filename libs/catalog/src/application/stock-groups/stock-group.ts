import { GroupCommit, Outcome, settled } from '@commerce/messaging';

/** A command on one order, for a group write. */
export interface OrderCommand {
  orderId: string;
}

/**
 * A stock movement group-committed across concurrent orders: the commands that arrive while a
 * group's transaction is in flight go together in the next one (GroupCommit, at most 64), so
 * concurrent orders share one transaction, one lock statement and one write statement. A member
 * that fails on its own (a domain refusal) gets its error while the others commit; a transaction
 * that fails is run again member by member, so one bad command cannot fail the others. A second
 * command for an order already in the group gets the first's answer (it would have waited for the
 * first and found its outcome).
 */
export class StockGroup<C extends OrderCommand, R> {
  private readonly group: GroupCommit<C, Outcome<R>>;

  constructor(write: (commands: C[]) => Promise<Map<string, Outcome<R>>>) {
    this.group = new GroupCommit(async (commands) => {
      const seen = new Set<string>();
      const unique = commands.filter((c) => !seen.has(c.orderId) && seen.add(c.orderId));
      const outcomes = await write(unique);
      return commands.map((c) => outcomes.get(c.orderId) ?? { ok: false, error: new Error(`no outcome for order ${c.orderId} in its group`) });
    });
  }

  /** Resolves with this command's answer once its group committed; rejects with its own error. */
  async submit(command: C): Promise<R> {
    return settled(await this.group.submit(command));
  }
}
