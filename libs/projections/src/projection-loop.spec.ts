import { ProjectionLoop } from './projection-loop';
import type { ProjectionRunner } from './projection-runner';

/** A runner that records when its rounds start and can be told to fill a batch or to take a while. */
function fakeRunner() {
  const fake = {
    schema: 'fake',
    rounds: [] as number[],
    fullRounds: 0,
    roundMs: 0,
    hadFullBatch: false,
    install: async () => undefined,
    tick: async () => {
      fake.rounds.push(Date.now());
      fake.hadFullBatch = fake.fullRounds > 0;
      if (fake.fullRounds > 0) fake.fullRounds--;
      if (fake.roundMs > 0) await new Promise((r) => setTimeout(r, fake.roundMs));
      return 1;
    },
  };
  return fake;
}

describe('ProjectionLoop', () => {
  let started: number;
  beforeEach(() => {
    jest.useFakeTimers({ now: 1_000_000 });
    started = Date.now();
  });
  afterEach(() => jest.useRealTimers());

  const boot = async (runner: ReturnType<typeof fakeRunner>) => {
    const loop = new ProjectionLoop(runner as unknown as ProjectionRunner, 250, 20);
    loop.start();
    await jest.advanceTimersByTimeAsync(0);
    expect(runner.rounds).toHaveLength(1); // the first round at start
    runner.rounds.length = 0;
    return loop;
  };

  it('runs one round kickDelay after a kick, for all the kicks that came meanwhile; kicks never put it off', async () => {
    const runner = fakeRunner();
    const loop = await boot(runner);
    const kickedAt = Date.now();
    loop.kick();
    await jest.advanceTimersByTimeAsync(15);
    loop.kick();
    loop.kick();
    await jest.advanceTimersByTimeAsync(30);
    expect(runner.rounds).toEqual([kickedAt + 20]);
    await loop.stop();
  });

  it('polls after pollMs when a round neither filled a batch nor was kicked', async () => {
    const runner = fakeRunner();
    const loop = await boot(runner);
    await jest.advanceTimersByTimeAsync(600);
    expect(runner.rounds).toEqual([started + 250, started + 500]);
    await loop.stop();
  });

  it('runs again at once after a round that filled a batch', async () => {
    const runner = fakeRunner();
    const loop = await boot(runner);
    runner.fullRounds = 2;
    loop.kick();
    await jest.advanceTimersByTimeAsync(100);
    // Two full rounds back to back (a zero timer is a millisecond here), then one that was not full; the next is a poll.
    expect(runner.rounds).toEqual([started + 20, started + 21, started + 22]);
    await loop.stop();
  });

  it('a kick during a round brings the next round kickDelay after it ends', async () => {
    const runner = fakeRunner();
    const loop = await boot(runner);
    runner.roundMs = 50;
    loop.kick();
    await jest.advanceTimersByTimeAsync(30); // the round started at +20 and runs until +70
    loop.kick();
    await jest.advanceTimersByTimeAsync(100);
    expect(runner.rounds).toEqual([started + 20, started + 90]);
    await jest.advanceTimersByTimeAsync(100); // the second round ends at +140; the next would be a poll at +390
    expect(runner.rounds).toHaveLength(2);
    await loop.stop();
  });
});
