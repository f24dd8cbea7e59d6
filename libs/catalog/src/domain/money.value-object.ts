import { MAX_MINOR_UNITS } from '@commerce/contracts';
import { InvalidMoneyError } from './catalog.errors';

/** An amount in integer minor units (cents) of one ISO 4217 currency; never a float. */
export class Money {
  private constructor(
    readonly amount: number,
    readonly currency: string,
  ) {}

  static of(amount: number, currency: string): Money {
    if (!Number.isSafeInteger(amount) || amount < 0 || amount > MAX_MINOR_UNITS) {
      throw new InvalidMoneyError(`Amount must be a whole number of minor units from 0 to ${MAX_MINOR_UNITS}, got ${amount}`);
    }
    if (!/^[A-Z]{3}$/.test(currency)) throw new InvalidMoneyError(`Currency must be an ISO 4217 code, got "${currency}"`);
    return new Money(amount, currency);
  }

  add(other: Money): Money {
    this.assertSameCurrency(other);
    return Money.of(this.amount + other.amount, this.currency);
  }

  times(quantity: number): Money {
    if (!Number.isSafeInteger(quantity) || quantity < 0) throw new InvalidMoneyError(`Quantity must be a whole number, got ${quantity}`);
    return Money.of(this.amount * quantity, this.currency);
  }

  equals(other: Money): boolean {
    return this.amount === other.amount && this.currency === other.currency;
  }

  toJSON(): { amount: number; currency: string } {
    return { amount: this.amount, currency: this.currency };
  }

  private assertSameCurrency(other: Money): void {
    if (other.currency !== this.currency) throw new InvalidMoneyError(`Cannot combine ${this.currency} with ${other.currency}`);
  }
}
