import { env, loadConfig } from '@commerce/platform';
import { z } from 'zod';

/** The variables this namespace reads, with their rules and defaults. */
export const notificationsConfigSchema = z.object({
  SMTP_URL: env.url(['smtp', 'smtps']).optional(),
  MAIL_FROM: z.email().default('shop@commerce-kit.local'),
  MAIL_DIR: z.string().default('.data/mail'),
});

/** Notification settings: SMTP when SMTP_URL is set, else .eml files under MAIL_DIR. */
export type NotificationsConfig = z.infer<typeof notificationsConfigSchema>;

/** Reads the notifications namespace from the environment. */
export function loadNotificationsConfig(source: Record<string, string | undefined> = process.env): NotificationsConfig {
  return loadConfig(notificationsConfigSchema, source);
}

/** Nest injection token for NotificationsConfig. */
export const NOTIFICATIONS_CONFIG = Symbol('NOTIFICATIONS_CONFIG');
