import { Payment } from './payment.entity';

const id = '00000000-0000-4000-8000-000000000001';

describe('Payment', () => {
  it('re-drives only a pending charge; every other status is the recorded answer', () => {
    expect(new Payment(id, 'PENDING').charge()).toBe('call-provider');
    for (const s of ['CAPTURED', 'DECLINED', 'REFUNDED', 'VOIDED'] as const) expect(new Payment(id, s).charge()).toBe('answer-recorded');
  });

  it('refunds a capture once and never more', () => {
    expect(new Payment(id, 'CAPTURED').refund()).toBe('refund-at-provider');
    expect(new Payment(id, 'REFUNDED').refund()).toBe('nothing');
  });

  it('voids a charge still in flight, and has nothing to give back for a declined one', () => {
    expect(new Payment(id, 'PENDING').refund()).toBe('void');
    expect(new Payment(id, 'DECLINED').refund()).toBe('nothing');
  });

  it('checks a voided payment at the provider again, in case a charge landed or a give-back failed', () => {
    expect(new Payment(id, 'VOIDED').refund()).toBe('recheck');
  });

  it('gives back money captured after the payment was voided', () => {
    expect(new Payment(id, 'VOIDED').settle(true)).toEqual({ status: 'VOIDED', giveBack: true });
    expect(new Payment(id, 'VOIDED').settle(false)).toEqual({ status: 'VOIDED', giveBack: false });
    expect(new Payment(id, 'PENDING').settle(true)).toEqual({ status: 'CAPTURED', giveBack: false });
    expect(new Payment(id, 'PENDING').settle(false)).toEqual({ status: 'DECLINED', giveBack: false });
  });
});
