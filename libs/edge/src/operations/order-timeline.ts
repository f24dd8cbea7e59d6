/** One event of an order's history, as GetOrder returns it. */
export interface HistoryEntry {
  type: string;
  at: string;
  data: Record<string, unknown>;
}

/** One attempt at a step, drawn as a bar on the order's time axis. */
export interface TimelineBar {
  step: string;
  kind: 'step' | 'compensation';
  startMs: number;
  endMs: number;
  /** The event that ended it (`PaymentCaptured`, `StepTimedOut`, …), `retried` or `in progress`. */
  outcome: string;
  ok: boolean;
}

/** An order's steps on a time axis from its placement to its last event (or now, while running). */
export interface Timeline {
  startMs: number;
  endMs: number;
  bars: TimelineBar[];
}

const COMPENSATIONS = new Set(['cancel-shipment', 'refund-payment', 'release-stock']);
/** Events that say nothing about the step in progress (a failed call is retried within the same bar). */
const NEUTRAL = new Set(['OrderPlaced', 'LateReplyIgnored', 'CancellationRequested', 'StepFailed']);
const FAILED = /(Failed|TimedOut|Parked)$/;

/** Reads the bars out of an order's history: each StepStarted opens one, the next outcome closes it. */
export function timelineOf(history: readonly HistoryEntry[], nowMs: number): Timeline {
  const bars: TimelineBar[] = [];
  let open: TimelineBar | undefined;
  const close = (atMs: number, outcome: string, ok: boolean) => {
    if (!open) return;
    bars.push({ ...open, endMs: Math.max(open.startMs, atMs), outcome, ok });
    open = undefined;
  };
  for (const event of history) {
    const atMs = Date.parse(event.at);
    if (event.type === 'StepStarted') {
      close(atMs, 'retried', false);
      const step = String(event.data.step);
      open = { step, kind: COMPENSATIONS.has(step) ? 'compensation' : 'step', startMs: atMs, endMs: atMs, outcome: '', ok: true };
    } else if (!NEUTRAL.has(event.type)) {
      close(atMs, event.type, !FAILED.test(event.type) && event.type !== 'OrderRejected');
    }
  }
  const startMs = history.length ? Date.parse(history[0].at) : nowMs;
  if (open) close(nowMs, 'in progress', true);
  const last = history.length ? Date.parse(history[history.length - 1].at) : nowMs;
  return { startMs, endMs: Math.max(last, ...bars.map((b) => b.endMs), startMs + 1), bars };
}
