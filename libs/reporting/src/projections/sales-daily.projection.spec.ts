import fc from 'fast-check';
import { allocate } from './sales-daily.projection';

const line = (quantity: number, amount: number) => ({ productId: 'p', quantity, unitPrice: { amount, currency: 'EUR' } });

describe('allocate (refund split over order lines)', () => {
  it('splits by line value and gives the rounding rest to the last line', () => {
    expect(allocate(100, [line(1, 100), line(2, 100)])).toEqual([33, 67]);
    expect(allocate(300, [line(1, 100), line(2, 100)])).toEqual([100, 200]);
  });

  it('never loses or invents money, and never gives a line a negative share', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000_000 }),
        fc.array(fc.tuple(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 0, max: 1_000_000 })), { minLength: 1, maxLength: 20 }),
        (amount, lines) => {
          const shares = allocate(
            amount,
            lines.map(([q, a]) => line(q, a)),
          );
          return shares.reduce((a, b) => a + b, 0) === amount && shares.every((s) => s >= 0);
        },
      ),
    );
  });
});
