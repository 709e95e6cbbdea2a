import { AbortedError, ToolError } from '../src/errors';
import { poll, POLL_NOT_YET, pollDone, PollOptions } from '../src/poll';

/** A fake clock whose sleeps move it forward and are written down. */
function fakeTime(): { now: () => number; sleep: (ms: number) => Promise<void>; sleeps: number[] } {
  let clock = 1_000_000;
  const sleeps: number[] = [];
  return {
    now: () => clock,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
    },
    sleeps,
  };
}

function options<T>(check: PollOptions<T>['check'], overrides: Partial<PollOptions<T>> = {}): PollOptions<T> {
  return { check, minDelayMs: 100, maxDelayMs: 1000, timeoutMs: 60_000, timeoutError: () => new ToolError('gave up'), ...overrides };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(() => {
    throw new Error('expected a rejection');
  }, (err: Error) => err);
}

describe('poll', () => {
  test('looks at once, backs off exponentially up to the longest delay, and returns the value of the look that is done', async () => {
    const time = fakeTime();
    let looks = 0;
    const value = await poll(options(async () => (++looks === 7 ? pollDone('ready') : POLL_NOT_YET), time));
    expect(value).toBe('ready');
    expect(looks).toBe(7);
    expect(time.sleeps).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  test('the backoff factor is an option', async () => {
    const time = fakeTime();
    let looks = 0;
    await poll(options(async () => (++looks === 4 ? pollDone(undefined) : POLL_NOT_YET), { ...time, backoff: 1.5 }));
    expect(time.sleeps).toEqual([100, 150, 225]);
  });

  test('gives up with the timeout error when the next look would come after the deadline, without sleeping past it', async () => {
    const time = fakeTime();
    const start = time.now();
    let looks = 0;
    const err = await rejection(poll(options(async () => {
      looks++;
      return POLL_NOT_YET;
    }, { ...time, timeoutMs: 5000 })));
    expect(err).toBeInstanceOf(ToolError);
    expect(err.message).toBe('gave up');
    // 100 + 200 + 400 + 800 + 1000 + 1000 = 3500; one more 1000 still fits (4500); the next would end at 5500.
    expect(time.sleeps).toEqual([100, 200, 400, 800, 1000, 1000, 1000]);
    expect(time.now() - start).toBeLessThanOrEqual(5000);
    expect(looks).toBe(8);
  });

  test('beforeSleep is told of each sleep to come, and not when the poll gives up', async () => {
    const time = fakeTime();
    const told: number[] = [];
    await expect(poll(options(async () => POLL_NOT_YET, { ...time, timeoutMs: 1000, beforeSleep: (ms) => told.push(ms) }))).rejects.toThrow('gave up');
    expect(told).toEqual([100, 200, 400]);
    expect(time.sleeps).toEqual(told);
  });

  test('a check that throws ends the poll with its error', async () => {
    const time = fakeTime();
    let looks = 0;
    const err = await rejection(poll(options(async () => {
      if (++looks === 3) throw new ToolError('the server stopped');
      return POLL_NOT_YET;
    }, time)));
    expect(err.message).toBe('the server stopped');
    expect(time.sleeps).toEqual([100, 200]);
  });

  test('an abort before a look rejects with AbortedError without looking', async () => {
    const controller = new AbortController();
    controller.abort();
    let looks = 0;
    const err = await rejection(poll(options(async () => {
      looks++;
      return pollDone(1);
    }, { signal: controller.signal })));
    expect(err).toBeInstanceOf(AbortedError);
    expect(looks).toBe(0);
  });

  test('an abort during a sleep rejects at once, even when the injected sleep never ends', async () => {
    const controller = new AbortController();
    const err = await rejection(poll(options(async () => POLL_NOT_YET, {
      signal: controller.signal,
      sleep: () => {
        setTimeout(() => controller.abort(), 10);
        return new Promise<void>(() => undefined);
      },
    })));
    expect(err).toBeInstanceOf(AbortedError);
  });

  test('an abort during the default sleep rejects promptly, not when the sleep would have ended', async () => {
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 50);
    const err = await rejection(poll(options(async () => POLL_NOT_YET, { minDelayMs: 30_000, maxDelayMs: 30_000, signal: controller.signal })));
    expect(err).toBeInstanceOf(AbortedError);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
