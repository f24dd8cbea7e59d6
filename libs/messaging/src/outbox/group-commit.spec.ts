import { RequestContext } from '@commerce/platform';
import { GroupCommit, inCallerContext } from './group-commit';

describe('GroupCommit', () => {
  it('writes the first item at once and those submitted meanwhile together in the next write', async () => {
    const writes: number[][] = [];
    const group = new GroupCommit<number, number>(async (items) => {
      writes.push(items);
      await new Promise((r) => setTimeout(r, 5));
      return items.map((i) => i * 10);
    });
    const results = await Promise.all([1, 2, 3, 4].map((i) => group.submit(i)));
    expect(results).toEqual([10, 20, 30, 40]);
    expect(writes).toEqual([[1], [2, 3, 4]]);
  });

  it('writes a failed group item by item, so one bad item fails alone', async () => {
    const writes: number[][] = [];
    const group = new GroupCommit<number, number>(async (items) => {
      writes.push(items);
      await Promise.resolve();
      if (items.includes(3)) throw new Error('bad item');
      return items;
    });
    const results = await Promise.allSettled([1, 2, 3, 4].map((i) => group.submit(i)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect(writes).toEqual([[1], [2, 3, 4], [2], [3], [4]]);
  });

  it('caps a group at its maximum', async () => {
    const sizes: number[] = [];
    const group = new GroupCommit<number, number>(async (items) => {
      sizes.push(items.length);
      await Promise.resolve();
      return items;
    }, 2);
    await Promise.all([1, 2, 3, 4, 5, 6].map((i) => group.submit(i)));
    expect(sizes).toEqual([1, 2, 2, 1]);
  });
});

describe('inCallerContext', () => {
  it('runs the function in the context it was made in, wherever it is called from, with its arguments and result', async () => {
    const made = RequestContext.run({ correlationId: 'member-a' }, () =>
      inCallerContext((n: number, label: string) => `${label}:${n}:${RequestContext.current()?.correlationId}`),
    );
    // Called later, from another member's context, as a group write calls each member's callback.
    const called = await RequestContext.run({ correlationId: 'member-b' }, () => new Promise<string>((ok) => setImmediate(() => ok(made(7, 'row')))));
    expect(called).toBe('row:7:member-a');
    expect(RequestContext.current()).toBeUndefined();
  });

  it('lets a thrown error reach the caller', () => {
    const failing = inCallerContext(() => {
      throw new Error('member failed');
    });
    expect(() => failing()).toThrow('member failed');
  });
});
