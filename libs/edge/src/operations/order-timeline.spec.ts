import { timelineOf } from './order-timeline';

const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms).toISOString();
const T0 = Date.parse(at(0));

describe('timelineOf', () => {
  it('draws one bar per step, from its start to the outcome that ended it', () => {
    const t = timelineOf(
      [
        { type: 'OrderPlaced', at: at(0), data: {} },
        { type: 'StepStarted', at: at(10), data: { step: 'reserve-stock' } },
        { type: 'StockReserved', at: at(40), data: {} },
        { type: 'StepStarted', at: at(40), data: { step: 'charge-payment' } },
        { type: 'PaymentFailed', at: at(140), data: { reason: 'declined' } },
        { type: 'StepStarted', at: at(150), data: { step: 'release-stock' } },
        { type: 'StockReleased', at: at(170), data: {} },
        { type: 'OrderRejected', at: at(171), data: {} },
      ],
      T0 + 10_000,
    );
    expect(t).toMatchObject({ startMs: T0, endMs: T0 + 171 });
    expect(t.bars.map((b) => [b.step, b.kind, b.endMs - b.startMs, b.outcome, b.ok])).toEqual([
      ['reserve-stock', 'step', 30, 'StockReserved', true],
      ['charge-payment', 'step', 100, 'PaymentFailed', false],
      ['release-stock', 'compensation', 20, 'StockReleased', true],
    ]);
  });

  it('shows a retried compensation as two attempts and a running step as in progress until now', () => {
    const t = timelineOf(
      [
        { type: 'OrderPlaced', at: at(0), data: {} },
        { type: 'StepStarted', at: at(10), data: { step: 'refund-payment' } },
        { type: 'StepStarted', at: at(110), data: { step: 'refund-payment' } },
      ],
      T0 + 500,
    );
    expect(t.bars.map((b) => [b.outcome, b.startMs - T0, b.endMs - T0])).toEqual([
      ['retried', 10, 110],
      ['in progress', 110, 500],
    ]);
    expect(t.endMs).toBe(T0 + 500);
  });

  it('marks a step past its deadline as failed', () => {
    const t = timelineOf(
      [
        { type: 'StepStarted', at: at(0), data: { step: 'charge-payment' } },
        { type: 'StepTimedOut', at: at(2500), data: { step: 'charge-payment' } },
      ],
      T0,
    );
    expect(t.bars[0]).toMatchObject({ outcome: 'StepTimedOut', ok: false });
  });

  it('keeps a step retried after failed calls in one bar, and marks a parked step as failed', () => {
    const t = timelineOf(
      [
        { type: 'StepStarted', at: at(0), data: { step: 'commit-stock' } },
        { type: 'StepFailed', at: at(100), data: { step: 'commit-stock', kind: 'internal' } },
        { type: 'StepParked', at: at(400), data: { step: 'commit-stock', kind: 'internal' } },
      ],
      T0,
    );
    expect(t.bars.map((b) => [b.step, b.endMs - b.startMs, b.outcome, b.ok])).toEqual([['commit-stock', 400, 'StepParked', false]]);
  });
});
