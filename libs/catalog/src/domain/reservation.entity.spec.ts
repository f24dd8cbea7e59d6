import { mergeLines, planReservation, planReservations, Reservation } from './reservation.entity';
import { StockLevel } from './stock-level.value-object';

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';
const levels = (a: number, b: number) =>
  new Map([
    [A, new StockLevel(A, a, 0, 0)],
    [B, new StockLevel(B, b, 0, 0)],
  ]);

describe('planReservation', () => {
  it('reserves every line when all fit', () => {
    expect(
      planReservation(
        [
          { productId: B, quantity: 2 },
          { productId: A, quantity: 1 },
        ],
        levels(1, 2),
      ),
    ).toEqual({
      ok: true,
      lines: [
        { productId: A, quantity: 1 },
        { productId: B, quantity: 2 },
      ],
    });
  });

  it('rejects the whole order when one line is short, naming the shortage', () => {
    expect(
      planReservation(
        [
          { productId: A, quantity: 1 },
          { productId: B, quantity: 3 },
        ],
        levels(5, 2),
      ),
    ).toEqual({
      ok: false,
      shortages: [{ productId: B, requested: 3, available: 2 }],
    });
  });

  it('adds up repeated lines of one product before checking', () => {
    const plan = planReservation(
      [
        { productId: A, quantity: 2 },
        { productId: A, quantity: 2 },
      ],
      levels(3, 0),
    );
    expect(plan).toEqual({ ok: false, shortages: [{ productId: A, requested: 4, available: 3 }] });
  });

  it('treats an unknown product as out of stock', () => {
    const unknown = '00000000-0000-4000-8000-0000000000ff';
    expect(planReservation([{ productId: unknown, quantity: 1 }], levels(1, 1))).toEqual({
      ok: false,
      shortages: [{ productId: unknown, requested: 1, available: 0 }],
    });
  });
});

describe('mergeLines', () => {
  it('sorts by product id so locks are always taken in the same order', () => {
    expect(
      mergeLines([
        { productId: B, quantity: 1 },
        { productId: A, quantity: 1 },
      ]).map((l) => l.productId),
    ).toEqual([A, B]);
  });
});

describe('Reservation', () => {
  it('releases a held reservation once; a second release does nothing', () => {
    expect(new Reservation(A, 'RESERVED').release()).toBe('move');
    expect(new Reservation(A, 'RELEASED').release()).toBe('none');
    expect(new Reservation(A, 'REJECTED').release()).toBe('none');
  });

  it('refuses to release sold stock', () => {
    expect(() => new Reservation(A, 'COMMITTED').release()).toThrow(expect.objectContaining({ code: 'CATALOG.RESERVATION_STATE_CONFLICT' }));
  });

  it('commits a held reservation once and refuses released ones', () => {
    expect(new Reservation(A, 'RESERVED').commit()).toBe('move');
    expect(new Reservation(A, 'COMMITTED').commit()).toBe('none');
    expect(() => new Reservation(A, 'RELEASED').commit()).toThrow(expect.objectContaining({ code: 'CATALOG.RESERVATION_STATE_CONFLICT' }));
  });
});

describe('StockLevel', () => {
  it('never adjusts below zero', () => {
    expect(new StockLevel(A, 3, 1, 0).adjust(-3).available).toBe(0);
    expect(() => new StockLevel(A, 3, 1, 0).adjust(-4)).toThrow(expect.objectContaining({ code: 'CATALOG.STOCK_WOULD_GO_NEGATIVE' }));
  });
});

describe('planReservations', () => {
  it('lets each order see what the orders before it took, all or nothing each', () => {
    const plans = planReservations(
      [
        [{ productId: A, quantity: 2 }],
        [
          { productId: A, quantity: 1 },
          { productId: B, quantity: 1 },
        ],
        [{ productId: B, quantity: 1 }],
        [{ productId: A, quantity: 1 }],
      ],
      levels(2, 1),
    );
    expect(plans).toEqual([
      { ok: true, lines: [{ productId: A, quantity: 2 }] },
      { ok: false, shortages: [{ productId: A, requested: 1, available: 0 }] },
      { ok: true, lines: [{ productId: B, quantity: 1 }] },
      { ok: false, shortages: [{ productId: A, requested: 1, available: 0 }] },
    ]);
  });

  it('leaves the given levels as they were', () => {
    const given = levels(1, 1);
    planReservations([[{ productId: A, quantity: 1 }]], given);
    expect(given.get(A)).toEqual(new StockLevel(A, 1, 0, 0));
  });
});
