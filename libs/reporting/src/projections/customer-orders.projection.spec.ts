import { furthestStatus } from './customer-orders.projection';

describe('furthestStatus (customer orders read out of order)', () => {
  it('shows a placed order as PLACED and moves it on to its outcome', () => {
    expect(furthestStatus(undefined, 'PLACED')).toBe('PLACED');
    expect(furthestStatus('PLACED', 'SHIPPING')).toBe('SHIPPING');
    expect(furthestStatus('PLACED', 'CONFIRMED')).toBe('CONFIRMED');
    expect(furthestStatus('SHIPPING', 'REJECTED')).toBe('REJECTED');
  });

  it('keeps a final status when OrderPlaced is read after it', () => {
    for (const final of ['CONFIRMED', 'REJECTED', 'CANCELLED']) expect(furthestStatus(final, 'PLACED')).toBe(final);
    expect(furthestStatus('SHIPPING', 'PLACED')).toBe('SHIPPING');
  });
});
