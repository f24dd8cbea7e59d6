import { randomUUID } from 'node:crypto';
import { OrderEvent } from '../src/domain/order-events';

/** An OrderPlaced event for one unit of a fresh product, paid with the given test card. */
export function orderPlaced(paymentToken = 'tok_visa'): OrderEvent {
  return {
    type: 'OrderPlaced',
    data: {
      customerId: 'c1',
      email: 'c1@example.com',
      lines: [{ productId: randomUUID(), quantity: 1, unitPrice: { amount: 100, currency: 'EUR' }, name: 'x' }],
      total: { amount: 100, currency: 'EUR' },
      shippingAddress: { name: 'A', line1: 'B', city: 'C', postalCode: '1', country: 'DE' },
      paymentToken,
    },
  };
}
