import nodemailer from 'nodemailer';
import { renderNotification } from '../../domain/notification-template';
import { composeTextEmail, TextEmail } from './text-email';

// The same transport the email channel writes the mail directory with.
const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
const viaTransport = async (mail: TextEmail) => ((await transport.sendMail({ ...mail })) as { message: Buffer }).message;

const orderId = '1234abcd-1111-2222-3333-444455556666';
const headers = { 'X-Order-Id': orderId, 'X-Notification': 'order-confirmed' };
const fixed = { messageId: '<fixed@example.test>', date: new Date('2026-11-26T16:00:00Z') };

const notifications = (['order-confirmed', 'order-rejected', 'order-cancelled', 'payment-refunded'] as const).map((kind) =>
  renderNotification(kind, orderId, 'alice@example.test', { total: { amount: 1234, currency: 'EUR' }, reason: 'card declined' }),
);
const texts = [
  ...notifications.map((n) => n.text),
  'short',
  'Ünïcode tëxt with € and a long line '.repeat(5),
  'line1\r\nline2\n trailing  ',
  'ends in a carriage return\r',
  'ends in a line feed\n',
  'a lone\rcarriage return',
  ' ',
  'tab\t\nnext',
];
const subjects = ['Order 1234abcd confirmed', 'Bestellung für Jürgen ✓', 'x'.repeat(120)];
const recipients = ['alice@example.test', '"Al Ice" <alice@example.test>', 'jörg@exämple.test'];
const cases = texts.flatMap((text) => subjects.flatMap((subject) => recipients.map((to) => ({ from: 'shop@example.test', to, subject, text, headers }))));

describe('composeTextEmail', () => {
  it('writes the bytes the stream transport writes, for every text it builds', async () => {
    let built = 0;
    for (const mail of cases) {
      const mine = composeTextEmail({ ...mail, ...fixed });
      if (!mine) continue;
      built++;
      expect(mine.toString('utf8')).toBe((await viaTransport({ ...mail, ...fixed })).toString('utf8'));
    }
    expect(built).toBe(cases.length);
  });

  it('puts a generated Message-ID and Date where the transport does', async () => {
    const generic = (b: Buffer) =>
      b
        .toString('utf8')
        .replace(/^Message-ID: <[^>]+>$/m, 'Message-ID: <id>')
        .replace(/^Date: .+$/m, 'Date: <date>');
    for (const n of notifications) {
      const mail = { from: 'shop@example.test', to: n.recipient, subject: n.subject, text: n.text, headers };
      const mine = composeTextEmail(mail)!;
      expect(mine.toString('utf8')).toMatch(/^Message-ID: <[0-9a-f-]+@example\.test>$/m);
      expect(generic(mine)).toBe(generic(await viaTransport(mail)));
    }
  });

  it('leaves what nodemailer would encode as base64, and an empty text, to the transport', () => {
    const mail = { from: 'shop@example.test', to: 'alice@example.test', subject: 's', headers };
    expect(composeTextEmail({ ...mail, text: 'Кириллица '.repeat(20) })).toBeUndefined();
    expect(composeTextEmail({ ...mail, text: '' })).toBeUndefined();
  });
});
