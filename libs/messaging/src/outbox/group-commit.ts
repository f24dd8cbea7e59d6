import { AsyncResource } from 'node:async_hooks';

interface Queued<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: the first item is written at once; items submitted while a write is in flight go
 * together in the next write (at most `max`). A group whose write fails is written again item by
 * item, so one bad item cannot fail the others. `write` returns one result per item, in order.
 */
export class GroupCommit<T, R> {
  private readonly queue: Queued<T, R>[] = [];
  private flushing = false;

  constructor(
    private readonly write: (items: T[]) => Promise<R[]>,
    private readonly max = 64,
  ) {}

  /** Resolves once the write holding `item` committed. */
  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length > 0) await this.writeGroup(this.queue.splice(0, this.max));
    } finally {
      this.flushing = false;
    }
  }

  private async writeGroup(group: Queued<T, R>[]): Promise<void> {
    try {
      const results = await this.write(group.map((q) => q.item));
      group.forEach((q, i) => q.resolve(results[i]));
    } catch (error) {
      if (group.length === 1) return group[0].reject(error);
      for (const q of group) await this.writeGroup([q]);
    }
  }
}

/** One member's outcome in a group write whose members can fail alone: its answer, or its own error. */
export type Outcome<R> = { ok: true; result: R } | { ok: false; error: unknown };

/** Runs `decide` and keeps a thrown error as the member's outcome. */
export function outcomeOf<R>(decide: () => R): Outcome<R> {
  try {
    return { ok: true, result: decide() };
  } catch (error) {
    return { ok: false, error };
  }
}

/** A member's answer from its outcome: the result, or its own error thrown. */
export function settled<R>(outcome: Outcome<R>): R {
  if (!outcome.ok) throw outcome.error;
  return outcome.result;
}

/**
 * Binds `fn` to the caller's async context, so work done later inside another member's group write
 * (building an event, sending a message) still carries this member's correlation and trace context.
 */
export function inCallerContext<A extends unknown[], T>(fn: (...args: A) => T): (...args: A) => T {
  // Not AsyncResource.bind: on Node 20 and 22 it also defines a deprecated `asyncResource` accessor
  // on every function it binds, two util.deprecate wrappers per call (0.7 % of an order's CPU).
  const resource = new AsyncResource('commerce.caller-context');
  return (...args: A) => resource.runInAsyncScope(fn, undefined, ...args);
}
