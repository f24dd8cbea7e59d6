import { renderNotification } from './notification-template';

const id = '12345678-0000-4000-8000-000000000001';

describe('renderNotification', () => {
  it('shows money from minor units without floating point noise', () => {
    expect(renderNotification('order-confirmed', id, 'a@b.c', { total: { amount: 1999, currency: 'EUR' } }).text).toContain('19.99 EUR');
  });
  it('names the order and the reason of a rejection', () => {
    const n = renderNotification('order-rejected', id, 'a@b.c', { reason: 'out of stock' });
    expect(n.subject).toBe('Order 12345678 could not be completed');
    expect(n.text).toContain('out of stock');
  });
});
