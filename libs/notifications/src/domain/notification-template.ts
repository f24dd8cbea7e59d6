import type { MoneyDto } from '@commerce/contracts';

/** What happened that the customer hears about. */
export type NotificationKind = 'order-confirmed' | 'order-rejected' | 'order-cancelled' | 'payment-refunded';

/** A message ready for any channel. */
export interface Notification {
  kind: NotificationKind;
  orderId: string;
  recipient: string;
  subject: string;
  text: string;
}

const money = (m: MoneyDto) => `${(m.amount / 100).toFixed(2)} ${m.currency}`;

/** Renders the customer message for an event; plain text, no customer input is interpreted. */
export function renderNotification(kind: NotificationKind, orderId: string, recipient: string, facts: { total?: MoneyDto; reason?: string }): Notification {
  const ref = orderId.slice(0, 8);
  switch (kind) {
    case 'order-confirmed':
      return {
        kind,
        orderId,
        recipient,
        subject: `Order ${ref} confirmed`,
        text: `Thank you! Order ${orderId} is confirmed (${facts.total ? money(facts.total) : ''}) and on its way.`,
      };
    case 'order-rejected':
      return {
        kind,
        orderId,
        recipient,
        subject: `Order ${ref} could not be completed`,
        text: `We could not complete order ${orderId}: ${facts.reason ?? 'unknown reason'}. You have not been charged.`,
      };
    case 'order-cancelled':
      return { kind, orderId, recipient, subject: `Order ${ref} cancelled`, text: `Order ${orderId} was cancelled as you asked.` };
    case 'payment-refunded':
      return {
        kind,
        orderId,
        recipient,
        subject: `Refund for order ${ref}`,
        text: `We refunded ${facts.total ? money(facts.total) : 'your payment'} for order ${orderId}.`,
      };
  }
}
