import type { Consumer as JsConsumer, ConsumerMessages, JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DrainingPull } from '../../src/nats/draining-pull.ts';

/** A fetch that ends with `err` once its status iterator has reported the request sent (as nats.js does). */
function failingFetch(err: Error): ConsumerMessages {
  return {
    status: () =>
      (async function* () {
        yield { type: 'next' };
      })(),
    [Symbol.asyncIterator]: () => ({
      next: () => Promise.reject(err),
    }),
  } as unknown as ConsumerMessages;
}

/** A fetch that stays open (no message, no end) until the test ends. */
function openFetch(): ConsumerMessages {
  return {
    status: () =>
      (async function* () {
        yield { type: 'next' };
      })(),
    [Symbol.asyncIterator]: () => ({ next: () => new Promise<IteratorResult<JsMsg>>(() => {}) }),
  } as unknown as ConsumerMessages;
}

function pullWith(first: Error): { pull: DrainingPull; fetches: () => number } {
  let fetches = 0;
  const consumer = {
    fetch: () => Promise.resolve(++fetches === 1 ? failingFetch(first) : openFetch()),
  } as unknown as JsConsumer;
  const nc = { isClosed: () => false, flush: () => Promise.resolve() } as unknown as NatsConnection;
  const pull = new DrainingPull({ nc, consumer, limit: 4, deliver: () => {}, log: {} });
  return { pull, fetches: () => fetches };
}

/** Lets the promise chains of the pull run (no timer advances). */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

describe('DrainingPull after a failed pull request', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('pulls again at once when the client gave up on missed heartbeats (a busy process, not a server failure)', async () => {
    const { pull, fetches } = pullWith(new Error('heartbeats missed'));
    await pull.start();
    await settle();
    expect(fetches()).toBe(2);
  });

  it('backs off 250 ms before pulling again after any other failure', async () => {
    const { pull, fetches } = pullWith(new Error('consumer deleted'));
    await pull.start();
    await settle();
    expect(fetches()).toBe(1);
    await vi.advanceTimersByTimeAsync(249);
    expect(fetches()).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    await settle();
    expect(fetches()).toBe(2);
  });
});
