import { describe, expect, it } from 'vitest';
import { wallClock } from '../src/wall-clock.ts';
import { quietPeriod, until } from '../src/testing/async.ts';

/** A wall clock `offset` ms off the real one, with a fast watcher so the test takes milliseconds. */
function jumping() {
  let offset = 0;
  const clock = wallClock({ now: () => Date.now() + offset, watchMs: 20 });
  return { clock, jump: (ms: number) => (offset += ms) };
}

/** Waits (1 s at most) for the alarm, then makes sure it does not fire again. */
async function firedOnce(fired: unknown[]): Promise<void> {
  await until(
    'the alarm',
    async () => fired.length,
    (n) => n >= 1,
    1_000,
  );
  await quietPeriod(100);
  expect(fired).toHaveLength(1);
}

describe('wallClock: alarms at absolute wall times across clock jumps', () => {
  it('a forward jump past an alarm fires it at the next watch, once', async () => {
    const { clock, jump } = jumping();
    const fired: number[] = [];
    clock.setTimer(clock.now() + 3_600_000, () => fired.push(clock.now()));
    jump(3_600_000);
    await firedOnce(fired);
  });

  it('a backward jump keeps an alarm from firing before its wall time, however long Node waited', async () => {
    const { clock, jump } = jumping();
    const fired: number[] = [];
    const at = clock.now() + 50;
    clock.setTimer(at, () => fired.push(clock.now()));
    jump(-3_600_000);
    await quietPeriod(200); // Node's timer went off after 50 ms: the wall clock is an hour short of `at`
    expect(fired).toEqual([]);
    jump(3_600_000);
    await firedOnce(fired);
    expect(fired[0]).toBeGreaterThanOrEqual(at);
  });

  it('a cleared alarm never fires, jump or not', async () => {
    const { clock, jump } = jumping();
    const fired: string[] = [];
    const handle = clock.setTimer(clock.now() + 1_000, () => fired.push('x'));
    clock.clearTimer(handle);
    jump(10_000);
    await quietPeriod(100);
    expect(fired).toEqual([]);
  });
});
