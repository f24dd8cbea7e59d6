import type { Channel, Message } from 'amqplib';
import { ChannelAcks, DeliveryTracker } from './delivery-tracker';

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

describe('ChannelAcks', () => {
  /** A channel that records what reaches the broker: `ack 5+` is a multiple ack up to tag 5. */
  const recordingChannel = () => {
    const sent: string[] = [];
    const channel = {
      ack: (m: Message, multiple?: boolean) => sent.push(`ack ${m.fields.deliveryTag}${multiple ? '+' : ''}`),
      nack: (m: Message, multiple?: boolean, requeue?: boolean) => sent.push(`nack ${m.fields.deliveryTag}${multiple ? '+' : ''}${requeue ? ' requeue' : ''}`),
    } as unknown as Channel;
    return { sent, channel };
  };
  const delivery = (tag: number) => ({ fields: { deliveryTag: tag } }) as Message;
  const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

  function deliver(tags: number[]) {
    const { sent, channel } = recordingChannel();
    const tracker = new DeliveryTracker();
    const acks = new ChannelAcks(channel);
    const settlements = new Map(tags.map((tag) => [tag, tracker.begin('events', channel, delivery(tag), acks)]));
    return { sent, tracker, acks, settle: (tag: number) => settlements.get(tag)! };
  }

  it('acks a run of settled deliveries with one multiple ack on the next turn', async () => {
    const { sent, tracker, settle } = deliver([1, 2, 3, 4]);
    for (const tag of [2, 1, 4, 3]) settle(tag).ack();
    expect(sent).toEqual([]);
    expect(tracker.inFlight).toBe(0);
    await nextTurn();
    expect(sent).toEqual(['ack 4+']);
  });

  it('acks a lone settled delivery alone, without multiple', async () => {
    const { sent, settle } = deliver([7, 8]);
    settle(7).ack();
    await nextTurn();
    expect(sent).toEqual(['ack 7']);
  });

  it('covers only the settled prefix: an ack past a delivery still in progress goes alone, at once', async () => {
    const { sent, settle } = deliver([1, 2, 3, 4, 5]);
    for (const tag of [1, 2, 4, 5]) settle(tag).ack();
    await nextTurn();
    expect(sent).toEqual(['ack 2+', 'ack 4', 'ack 5']);
    settle(3).ack();
    await nextTurn();
    expect(sent.slice(3)).toEqual(['ack 3']);
  });

  it('rejects a failed delivery in the middle at once and alone; the multiple ack that follows cannot swallow it', async () => {
    const { sent, settle } = deliver([1, 2, 3, 4]);
    settle(1).ack();
    settle(2).reject();
    settle(3).ack();
    settle(4).ack();
    expect(sent).toEqual(['nack 2']);
    await nextTurn();
    // The broker forgot tag 2 with its nack; the multiple ack covers only what is still unacked (1, 3, 4).
    expect(sent).toEqual(['nack 2', 'ack 4+']);
  });

  it('holds no ack back behind a delivery that is never settled before the channel closes', async () => {
    const { sent, settle } = deliver([1, 2, 3]);
    settle(2).ack();
    settle(3).ack();
    await nextTurn();
    expect(sent).toEqual(['ack 2', 'ack 3']);
  });

  it('sends what waits when flushed (on drain), and nothing twice', async () => {
    const { sent, acks, settle } = deliver([1, 2]);
    settle(1).ack();
    settle(2).ack();
    acks.flush();
    expect(sent).toEqual(['ack 2+']);
    await nextTurn();
    expect(sent).toEqual(['ack 2+']);
  });

  it('drops the acks of a closed channel quietly (the broker requeues those deliveries)', async () => {
    const channel = {
      ack: () => {
        throw new Error('Channel closed');
      },
      nack: () => {
        throw new Error('Channel closed');
      },
    } as unknown as Channel;
    const tracker = new DeliveryTracker();
    const acks = new ChannelAcks(channel);
    const first = tracker.begin('events', channel, delivery(1), acks);
    const second = tracker.begin('events', channel, delivery(2), acks);
    first.ack();
    second.reject();
    expect(tracker.inFlight).toBe(0);
    expect(() => acks.flush()).not.toThrow();
  });
});
