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

/** A dead letter in a listing: everything but the message, which is measured and previewed. */
export interface DeadLetterSummary extends Omit<DeadLetter, 'message'> {
  /** Size of the message body in bytes. */
  size: number;
  /** The start of the body as text (at most PREVIEW_CHARS characters). */
  preview: string;
  /** Whether the preview is shorter than the body: fetch the letter by id for all of it. */
  truncated: boolean;
}

/** One page of a service's dead letters, oldest first. */
export interface DeadLetterPage {
  items: DeadLetterSummary[];
  offset: number;
  limit: number;
  /** Dead letters waiting in all, as the broker counts them. */
  total: number;
}

/** Bounds of a listing: defaults small, so a listing stays small whatever the letters weigh. */
export const DEAD_LETTER_PAGE = { defaultLimit: 20, maxLimit: 100, maxOffset: 5000 } as const;
const PREVIEW_CHARS = 500;

/** The listing form of a dead letter, from its fields and its raw body. */
export function summarise(letter: Omit<DeadLetter, 'message'>, body: Buffer | string): DeadLetterSummary {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const preview = bytes
    .subarray(0, PREVIEW_CHARS * 4)
    .toString('utf8')
    .slice(0, PREVIEW_CHARS);
  return { ...letter, size: bytes.length, preview, truncated: Buffer.byteLength(preview, 'utf8') < bytes.length };
}

/** The message of a dead letter: the parsed JSON when it is JSON, else the text. */
export function parseBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text; // kept as text: it was parked because it could not be read
  }
}

/** Lists, fetches, replays and discards one service's dead letters. */
export interface DeadLetterStore {
  list(service: string, page: { offset: number; limit: number }): Promise<DeadLetterPage>;
  /** One dead letter whole; undefined when there is none with that id. */
  get(service: string, id: string): Promise<DeadLetter | undefined>;
  /** Sends the message back to the handlers that failed it; false when no such dead letter exists. */
  replay(service: string, id: string): Promise<boolean>;
  discard(service: string, id: string): Promise<boolean>;
}

/** What to do with an event after its handlers ran. */
export type DeliveryStep = { kind: 'done' } | { kind: 'retry'; attempt: number; delayMs: number } | { kind: 'dead' };

/**
 * The retry schedule: the n-th failure waits delays[n-1]; after the last, or for a failure no retry
 * can mend (an unreadable message, a guard's refusal: `isPermanentFailure`), the DLQ.
 */
export function nextDeliveryStep(failedAttempts: number, delays: readonly number[], permanent: boolean): DeliveryStep {
  if (failedAttempts === 0) return { kind: 'done' };
  if (permanent || failedAttempts > delays.length) return { kind: 'dead' };
  return { kind: 'retry', attempt: failedAttempts, delayMs: delays[failedAttempts - 1] };
}

/** A short, safe description of a handler failure for headers and listings. */
export function describeFailure(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  const message = error instanceof Error ? error.message : String(error);
  return `${typeof code === 'string' ? `${code}: ` : ''}${message}`.slice(0, 1000);
}
