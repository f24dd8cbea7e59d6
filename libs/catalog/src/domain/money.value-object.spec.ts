import { DomainError } from '@commerce/contracts';
import { Money } from './money.value-object';

describe('Money', () => {
  it('keeps integer minor units and a currency', () => {
    expect(Money.of(2599, 'EUR').toJSON()).toEqual({ amount: 2599, currency: 'EUR' });
  });

  it.each([[-1], [1.5], [Number.NaN], [Number.MAX_SAFE_INTEGER]])('rejects the amount %p', (amount) => {
    expect(() => Money.of(amount, 'EUR')).toThrow(DomainError);
  });

  it.each([['eur'], ['EURO'], [''], ['E1R']])('rejects the currency %p', (currency) => {
    expect(() => Money.of(100, currency)).toThrow(/ISO 4217/);
  });

  it('adds and multiplies without floating point error', () => {
    expect(Money.of(10, 'EUR').add(Money.of(20, 'EUR')).times(3)).toEqual(Money.of(90, 'EUR'));
  });

  it('refuses to mix currencies', () => {
    expect(() => Money.of(1, 'EUR').add(Money.of(1, 'USD'))).toThrow(/Cannot combine EUR with USD/);
  });

  it('reports the stable error code', () => {
    try {
      Money.of(-5, 'EUR');
      throw new Error('expected a failure');
    } catch (error) {
      expect((error as DomainError).code).toBe('CATALOG.INVALID_MONEY');
    }
  });
});
