/** How a failure should be treated by callers; the HTTP edge maps kinds to status codes. */
export type ErrorKind = 'invalid' | 'unauthorized' | 'forbidden' | 'not-found' | 'conflict' | 'unavailable' | 'timeout' | 'internal';

/** The wire form of an error: survives a process boundary where `instanceof` would not. */
export interface ErrorPayload {
  code: string;
  kind: ErrorKind;
  message: string;
  details?: unknown;
}
