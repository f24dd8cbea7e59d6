import { Inject, Injectable, Logger } from '@nestjs/common';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import nodemailer, { Transporter } from 'nodemailer';
import type { Notification } from '../../domain/notification-template';
import { NOTIFICATIONS_CONFIG, NotificationsConfig } from '../../notifications.config';
import { NotificationChannel } from './notification-channel.port';
import { composeTextEmail, TextEmail } from './text-email';

/** Email through nodemailer: SMTP when SMTP_URL is set, otherwise one .eml file per message under MAIL_DIR. */
@Injectable()
export class EmailChannel implements NotificationChannel {
  readonly name = 'email';
  private readonly logger = new Logger(EmailChannel.name);
  private readonly transporter: Transporter;

  constructor(@Inject(NOTIFICATIONS_CONFIG) private readonly config: NotificationsConfig) {
    this.transporter = config.SMTP_URL
      ? nodemailer.createTransport(config.SMTP_URL)
      : nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  }

  async send(n: Notification): Promise<void> {
    const mail: TextEmail = {
      from: this.config.MAIL_FROM,
      to: n.recipient,
      subject: n.subject,
      text: n.text,
      headers: { 'X-Order-Id': n.orderId, 'X-Notification': n.kind },
    };
    if (this.config.SMTP_URL) {
      await this.transporter.sendMail(mail);
      return;
    }
    // The mail directory is for development and tests: the message is built without the stream
    // transport's streams when it can be (the same bytes, ADR 29).
    const message = composeTextEmail(mail) ?? ((await this.transporter.sendMail(mail)) as { message?: Buffer }).message ?? Buffer.alloc(0);
    const dir = resolve(this.config.MAIL_DIR);
    const file = join(dir, `${n.orderId}.${n.kind}.eml`);
    // The directory is made when a write finds it missing, not before every message (a syscall each).
    // Written asynchronously: a synchronous write cost less CPU on a quiet disk but held the event
    // loop for up to half a millisecond while the disk was busy (ADR 29).
    await writeFile(file, message).catch(async (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
      await mkdir(dir, { recursive: true });
      await writeFile(file, message);
    });
    this.logger.log({ msg: 'email written', file });
  }
}
