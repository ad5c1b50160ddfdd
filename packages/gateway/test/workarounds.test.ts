/** The hedged listing: a stalled engine scan is retried once instead of holding the request for 30 s. */
import { describe, expect, it } from 'vitest';
import { hedged, uniquePage } from '../src/engine-workarounds.ts';

describe('engine workarounds', () => {
  it('takes the second attempt when the first stalls', async () => {
    let calls = 0;
    const result = await hedged(() => (++calls === 1 ? new Promise<string>(() => {}) : Promise.resolve('second')), 10);
    expect([result, calls]).toEqual(['second', 2]);
  });

  it('makes one call when the first answers in time, and passes its failure on', async () => {
    let calls = 0;
    expect(await hedged(async () => ++calls, 1_000)).toBe(1);
    await expect(hedged(() => Promise.reject(new Error('boom')), 1_000)).rejects.toThrow('boom');
    expect(calls).toBe(1);
  });

  it('drops executions a scan listed twice', () => {
    const view = (executionId: string) => ({ executionId }) as never;
    expect(uniquePage({ executions: [view('a'), view('b'), view('a')], nextCursor: 'c' })).toEqual({
      executions: [view('a'), view('b')],
      nextCursor: 'c',
    });
  });
});
