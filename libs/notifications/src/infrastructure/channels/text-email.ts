import MailComposer from 'nodemailer/lib/mail-composer';
import { encode as qpEncode, wrap as qpWrap } from 'nodemailer/lib/qp';

/** The fields of a plain-text email, as nodemailer's `sendMail` takes them. */
export interface TextEmail {
  from: string;
  to: string;
  subject: string;
  text: string;
  headers: Record<string, string>;
  messageId?: string;
  date?: Date;
}

/**
 * The message nodemailer's stream transport (`newline: 'unix'`, `buffer: true`) writes for a
 * single plain-text part, built without its streams. Nodemailer still composes the node and
 * writes every header (address parsing, encoded words, Message-ID, Date, the transfer encoding it
 * chooses); only the body is put together here, with nodemailer's own quoted-printable encoder,
 * and the transport's last two steps are applied: a line break at the end if there is none, and
 * every CR dropped (its unix newline transform). Undefined when nodemailer would choose base64
 * (mostly non-Latin text) or the text is empty: send those through the transport.
 *
 * The transport runs the message through four streams and two timer turns per email; building it
 * here costs about a third of the CPU (ADR 29). `text-email.spec.ts` checks the bytes against the
 * transport's.
 */
export function composeTextEmail(mail: TextEmail): Buffer | undefined {
  const node = new MailComposer(mail).compile();
  const encoding = node.getTransferEncoding();
  if (encoding !== '7bit' && encoding !== 'quoted-printable') return undefined;
  // sendMail asks for the Message-ID before the transport builds the headers, so it comes first
  node.messageId();
  const body = encoding === '7bit' ? mail.text : qpWrap(qpEncode(mail.text), 76);
  let message = `${node.buildHeaders()}\r\n\r\n${body}`.replace(/\r/g, '');
  if (!message.endsWith('\n')) message += '\n';
  return Buffer.from(message, 'utf8');
}
