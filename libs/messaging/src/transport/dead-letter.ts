/** A message parked after its last attempt, or because it could not be read. */
export interface DeadLetter {
  /** The broker-side id used to replay or discard it (the envelope id when readable). */
  id: string;
  type: string;
  handlers: string[];
  error: string;
  attempts: number;
  deadAt: string;
  /** The message as received: the envelope, or the raw text when it was not JSON. */
  message: unknown;
}

/** Lists, replays and discards one service's dead letters. */
export interface DeadLetterStore {
  list(service: string, limit: number): Promise<DeadLetter[]>;
  /** Sends the message back to the handlers that failed it; false when no such dead letter exists. */
  replay(service: string, id: string): Promise<boolean>;
  discard(service: string, id: string): Promise<boolean>;
}

/** What to do with an event after its handlers ran. */
export type DeliveryStep = { kind: 'done' } | { kind: 'retry'; attempt: number; delayMs: number } | { kind: 'dead' };

/** The retry schedule: the n-th failure waits delays[n-1]; after the last, or for an unreadable message, the DLQ. */
export function nextDeliveryStep(failedAttempts: number, delays: readonly number[], unreadable: boolean): DeliveryStep {
  if (failedAttempts === 0) return { kind: 'done' };
  if (unreadable || failedAttempts > delays.length) return { kind: 'dead' };
  return { kind: 'retry', attempt: failedAttempts, delayMs: delays[failedAttempts - 1] };
}

/** A short, safe description of a handler failure for headers and listings. */
export function describeFailure(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  const message = error instanceof Error ? error.message : String(error);
  return `${typeof code === 'string' ? `${code}: ` : ''}${message}`.slice(0, 1000);
}
