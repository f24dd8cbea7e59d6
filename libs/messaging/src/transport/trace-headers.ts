import { captureTraceContext } from '@commerce/platform';

/** AMQP headers carrying the active W3C trace context (the sending span), for tools that read headers rather than the envelope. */
export function traceHeaders(): Record<string, string> {
  return { ...captureTraceContext() } as Record<string, string>;
}
