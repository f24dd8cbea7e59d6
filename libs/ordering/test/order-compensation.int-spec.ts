import { Controller } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ChargePayment, DomainError, PayloadOf, ReleaseStock, ReserveStock } from '@commerce/contracts';
import { Handles } from '@commerce/messaging';
import { MetricsRegistry, ReadinessRegistry } from '@commerce/platform';
import { OrderingModule } from '@commerce/ordering';
import { bootContexts, ContextHarness } from '../../../test/support/context-harness';
import { createScratchDatabase, ScratchDatabase } from '../../../test/support/postgres';
import { waitUntil } from '../../../test/support/wait-until';
import { OrderFlow } from '../src/application/order-flow/order-flow';
import { Order } from '../src/domain/order.entity';
import { OrderStore } from '../src/infrastructure/order-store.repository';
import { OrderTimerRepository } from '../src/infrastructure/order-timer.repository';
import { orderPlaced } from './order-placed.fixture';

const STEP_TIMEOUT_MS = 500;
const ATTEMPTS = 2;

/** How the stand-in owners answer; reset by each test. */
const owners = { releaseCalls: 0, releaseHangs: 0, releaseBroken: false, chargeInvalid: false };

/** Stand-ins for catalog and payments: stock is always reserved, every card declined, and release-stock as each test says. */
@Controller()
class FakeOwners {
  @Handles(ReserveStock)
  async reserve({ orderId }: PayloadOf<typeof ReserveStock>) {
    return { orderId, status: 'RESERVED' as const };
  }

  @Handles(ChargePayment)
  async charge({ orderId }: PayloadOf<typeof ChargePayment>) {
    if (owners.chargeInvalid) throw new DomainError('PAYMENTS.TOKEN_UNKNOWN', 'invalid', 'the provider does not know this token');
    return { orderId, status: 'DECLINED' as const, reason: 'card declined' };
  }

  @Handles(ReleaseStock)
  async release({ orderId }: PayloadOf<typeof ReleaseStock>) {
    owners.releaseCalls++;
    // Six times the deadline: this answer is late by construction, however loaded the machine is.
    if (owners.releaseCalls <= owners.releaseHangs) await sleep(STEP_TIMEOUT_MS * 6);
    if (owners.releaseBroken) throw new DomainError('CATALOG.BROKEN', 'internal', 'the stock service answers with an error');
    return { orderId, status: 'RELEASED' as const };
  }
}

describe('order compensations (ordering on real Postgres, owners stood in on the in-process bus)', () => {
  let db: ScratchDatabase;
  let harness: ContextHarness;

  beforeAll(async () => {
    db = await createScratchDatabase('commerce_it_compensation');
    harness = await bootContexts({ kind: 'postgres', url: db.url }, [OrderingModule], [FakeOwners], {
      env: {
        ORDER_STEP_TIMEOUT_MS: String(STEP_TIMEOUT_MS),
        ORDER_COMPENSATION_ATTEMPTS: String(ATTEMPTS),
        ORDER_STALL_MS: '300',
        ORDER_RECOVERY_INTERVAL_MS: '200',
      },
    });
  });

  afterAll(async () => {
    await harness?.close();
    await db?.drop();
  });

  beforeEach(() => Object.assign(owners, { releaseCalls: 0, releaseHangs: 0, releaseBroken: false, chargeInvalid: false }));

  const placeOrder = async (): Promise<string> => {
    const id = randomUUID();
    const store = harness.get(OrderStore);
    await harness.dataSource('ordering').transaction((m) => store.append(m, new Order(id), [orderPlaced('tok_declined')]));
    await harness.get(OrderFlow).announceNow(id);
    return id;
  };
  const ended = async (id: string) => {
    let order: Order | undefined;
    await waitUntil(
      `order ${id} to end`,
      async () => {
        order = (await harness.get(OrderStore).load(id))?.order;
        return order?.terminal ?? false;
      },
      60_000,
    );
    return (await harness.get(OrderStore).load(id))!;
  };

  it('retries a compensation whose owner times out until it answers, past the attempt limit, and never parks the order', async () => {
    owners.releaseHangs = ATTEMPTS + 2;
    const { order, events } = await ended(await placeOrder());
    expect(order.status).toBe('REJECTED');
    expect(owners.releaseCalls).toBeGreaterThan(ATTEMPTS + 2);
    expect(events.map((e) => e.type)).toContain('StockReleased');
    expect(events.map((e) => e.type)).not.toContain('CompensationFailed');
  });

  it('parks the order in COMPENSATION_FAILED when the owner keeps answering with an error', async () => {
    owners.releaseBroken = true;
    const { order, events } = await ended(await placeOrder());
    expect(order.status).toBe('COMPENSATION_FAILED');
    expect(owners.releaseCalls).toBe(ATTEMPTS);
    expect(events.find((e) => e.type === 'CompensationFailed')?.data).toMatchObject({ compensation: 'release-stock' });
  });

  it('parks an order on a permanent answer: listed by status, counted in readiness and metrics, its timer gone', async () => {
    owners.chargeInvalid = true;
    const id = await placeOrder();
    const { order, events } = await ended(id);
    expect(order.status).toBe('PARKED');
    expect(events.at(-1)).toMatchObject({ type: 'StepParked', data: { step: 'charge-payment', kind: 'invalid', code: 'PAYMENTS.TOKEN_UNKNOWN' } });
    expect(owners.releaseCalls).toBe(0);
    const listed = await harness.get(OrderStore).list({ status: 'PARKED', limit: 50, offset: 0 });
    expect(listed.items.map((o) => o.id)).toContain(id);
    const settled = await Promise.allSettled(
      harness
        .get(ReadinessRegistry)
        .all()
        .map((check) => check()),
    );
    const details = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    expect(details).toContainEqual({ orders: { status: 'up', compensationFailed: expect.any(Number), parked: listed.total } });
    const { body } = await harness.get(MetricsRegistry).scrape();
    expect(body).toContain(`commerce_orders{status="PARKED"} ${listed.total}`);
    expect(await harness.get(OrderTimerRepository).get(id)).toBeUndefined();
  });
});
