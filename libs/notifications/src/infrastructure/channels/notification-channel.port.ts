import type { Notification } from '../../domain/notification-template';

/** A way to reach a customer (email today; SMS and push plug in here). */
export interface NotificationChannel {
  readonly name: string;
  send(notification: Notification): Promise<void>;
}

/** Nest injection token of the channels in use. */
export const NOTIFICATION_CHANNELS = Symbol('NOTIFICATION_CHANNELS');
