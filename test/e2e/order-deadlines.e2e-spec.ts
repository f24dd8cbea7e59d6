import { call } from '../support/http-harness';
import { times, useOrderTopology } from '../support/order-harness';
import { TOPOLOGIES } from '../support/topology';
import { waitUntil } from '../support/wait-until';

/**
 * Step deadlines, with an answer that is late by construction: the provider holds a `tok_timeout`
 * charge for two minutes (until the topology shuts down), so the charge step can only end by its
 * 8 s deadline, however loaded the machine is. The deadline is long enough that the steps before
 * it (one order's reservation) finish well inside it under load.
 */
describe.each(TOPOLOGIES)('order deadlines, topology %s', (topology) => {
  const t = useOrderTopology(topology, { ORDER_STEP_TIMEOUT_MS: '8000', SIM_PROVIDER_HANG_MS: '120000' });

  it('treats a step past its deadline as failed and compensates it', async () => {
    const p = await t.product(3);
    const id = (await t.place([{ productId: p, quantity: 1 }], { paymentToken: 'tok_timeout' })).body.orderId as string;
    const o = await t.settle(id);
    expect(o.status).toBe('REJECTED');
    expect(o.reason).toBe('charge-payment timed out');
    expect(o.history.map((h) => h.type)).toEqual(
      expect.arrayContaining(['StockReserved', 'StepTimedOut', 'StockReleased', 'OrderRejected']) as unknown as string[],
    );
    expect(times(o, 'PaymentCaptured')).toBe(0);
    expect(times(o, 'StockReleased')).toBe(1);
    const stock = (await call(t.base, 'GET', `/api/products/${p}/stock`)).body;
    expect(stock).toMatchObject({ available: 3, reserved: 0, committed: 0 });
    // The charge still hangs at the provider: its payment was voided, so a late capture is given back.
    await waitUntil(
      'the payment voided',
      async () => (await t.count(`SELECT count(*) AS n FROM payments.payment WHERE order_id = $1 AND status = 'VOIDED'`, [id])) === 1,
      30_000,
    );
    expect(await t.count(`SELECT count(*) AS n FROM payments.sim_provider_call WHERE idempotency_key = $1`, [`charge:${id}`])).toBe(0);
  });
});
