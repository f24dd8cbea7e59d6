import { Inject, Injectable, Logger } from '@nestjs/common';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import nodemailer, { Transporter } from 'nodemailer';
import type { Notification } from '../../domain/notification-template';
import { NOTIFICATIONS_CONFIG, NotificationsConfig } from '../../notifications.config';
import { NotificationChannel } from './notification-channel.port';

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
    const info = (await this.transporter.sendMail({
      from: this.config.MAIL_FROM,
      to: n.recipient,
      subject: n.subject,
      text: n.text,
      headers: { 'X-Order-Id': n.orderId, 'X-Notification': n.kind },
    })) as {
      message?: Buffer;
      messageId?: string;
    };
    if (this.config.SMTP_URL) return;
    const dir = resolve(this.config.MAIL_DIR);
    const file = join(dir, `${n.orderId}.${n.kind}.eml`);
    // The directory is made when a write finds it missing, not before every message (a syscall each).
    await writeFile(file, info.message ?? Buffer.alloc(0)).catch(async (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
      await mkdir(dir, { recursive: true });
      await writeFile(file, info.message ?? Buffer.alloc(0));
    });
    this.logger.log({ msg: 'email written', file });
  }
}
