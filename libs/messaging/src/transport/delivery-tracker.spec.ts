import type { Channel, Message } from 'amqplib';
import { DeliveryTracker } from './delivery-tracker';

const fakeChannel = () => {
  const calls: string[] = [];
  return { calls, channel: { ack: () => calls.push('ack'), nack: () => calls.push('nack') } as unknown as Channel };
};
const msg = {} as Message;

describe('DeliveryTracker', () => {
  it('settles a delivery once: a second ack or a reject after it is ignored', () => {
    const tracker = new DeliveryTracker();
    const { calls, channel } = fakeChannel();
    const settlement = tracker.begin('events', channel, msg);
    expect(tracker.inFlight).toBe(1);
    settlement.ack();
    settlement.ack();
    settlement.reject();
    expect(calls).toEqual(['ack']);
    expect(tracker.inFlight).toBe(0);
  });

  it('reports deliveries unsettled past the bound, and nothing once they settle', () => {
    const tracker = new DeliveryTracker();
    const settlement = tracker.begin('commands', fakeChannel().channel, msg);
    const now = Date.now();
    expect(tracker.problem(1000, now)).toBeUndefined();
    expect(tracker.problem(1000, now + 1001)).toMatch(/1 deliveries unsettled for more than 1000 ms \(commands\)/);
    settlement.reject();
    expect(tracker.problem(1000, now + 1001)).toBeUndefined();
  });

  it('reports a stopped consumer until a new one of that role starts', () => {
    const tracker = new DeliveryTracker();
    tracker.consuming('events');
    tracker.stopped('events', 'cancelled by the broker');
    expect(tracker.problem(1000)).toBe('events consumer stopped: cancelled by the broker');
    tracker.consuming('events');
    expect(tracker.problem(1000)).toBeUndefined();
  });
});
