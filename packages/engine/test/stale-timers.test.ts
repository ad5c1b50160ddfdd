import { afterEach, describe, expect, it } from 'vitest';
import { names as makeNames, silentLogger, workflow } from '@squadflow/shared';
import { createMemoryTransport, ManualClock, type Transport } from '@squadflow/transport';
import { EngineClient, Orchestrator } from '../src/index.ts';
import { machineEvent } from '../src/compile/events.ts';

/**
 * Matrix D4: a timer that fires again after its state was left (the timer
 * service fires a stored timer a second time when the orchestrator died
 * between applying it and deleting it), or after it was cancelled and the
 * step re-armed another one for a later attempt. The stale fire carries the
 * old attempt (or names a timer the state no longer holds): it must be
 * dropped, and the transition it once caused must happen exactly once.
 */
describe('stale timer fires (D4)', () => {
  let transport: Transport | undefined;
  let orchestrator: Orchestrator | undefined;
  afterEach(async () => {
    await orchestrator?.stop();
    await transport?.close();
  });

  /** A step's status and how many attempts it made. */
  const stepOf = (view: Awaited<ReturnType<EngineClient['getExecution']>>, index = 0) => {
    const step = view?.steps[index];
    return { name: step?.name, status: step?.status, attempts: step?.attempts?.length ?? 0 };
  };

  async function start(definition: ReturnType<ReturnType<typeof workflow>['build']>) {
    const clock = new ManualClock();
    transport = createMemoryTransport({ clock });
    orchestrator = await Orchestrator.start({ transport, logger: silentLogger() });
    const client = await EngineClient.connect({ transport });
    await client.registerWorkflow(definition);
    const id = await client.trigger(definition.name, { id: 7 });
    const settle = async (ms = 0) => {
      await clock.advance(ms);
      await orchestrator!.idle();
    };
    await settle();
    const kv = await transport.kv(makeNames('sqf').buckets.executions);
    const revision = async () => (await kv.get(id))!.revision;
    return { client, id, settle, revision };
  }

  it("drops attempt 1's timeout and backoff when they fire again during attempt 2", async () => {
    const retrying = workflow('stale_retry')
      .task('a', { squad: 'nobody', action: 'x', timeout: '2s', retry: { retries: 1, initialInterval: '1s', jitter: 0 } })
      .build();
    const { client, id, settle, revision } = await start(retrying);
    await settle(2_000); // attempt 1 times out: backoff armed
    await settle(1_000); // backoff fires: attempt 2 dispatched
    const running = await client.getExecution(id);
    expect(stepOf(running)).toMatchObject({ name: 'a', status: 'running', attempts: 2 });
    const before = await revision();

    const staleTimeout = machineEvent.timer('a', { attempt: 1, timer: 'timeout' });
    const staleBackoff = machineEvent.timer('a', { attempt: 1, timer: 'backoff' });
    expect(await orchestrator!.apply(id, staleTimeout)).toBe('stale');
    expect(await orchestrator!.apply(id, staleBackoff)).toBe('stale');
    expect(await revision()).toBe(before); // nothing was written for them

    // Attempt 2's own timeout still counts, once: the step fails for good.
    await settle(2_000);
    const ended = await client.getExecution(id);
    expect(ended?.status).toBe('failed');
    expect(stepOf(ended)).toMatchObject({ status: 'failed', attempts: 2 });
    // A repeat after the end is dropped as well.
    expect(await orchestrator!.apply(id, machineEvent.timer('a', { attempt: 2, timer: 'timeout' }))).toBe('ended');
  });

  it("drops a wait's deadline that fires after the signal cancelled it", async () => {
    const waiting = workflow('stale_wait')
      .wait('w', { signal: 'k_{id}', timeout: '1h' })
      .task('next', { squad: 'nobody', action: 'x', dependsOn: ['w'] })
      .build();
    const { client, id, settle, revision } = await start(waiting);
    await client.signal('k_7', { answer: 'yes' });
    await settle();
    const signalled = await client.getExecution(id);
    expect(stepOf(signalled)).toMatchObject({ name: 'w', status: 'completed' });
    expect(stepOf(signalled, 1)).toMatchObject({ name: 'next', status: 'running', attempts: 1 });
    const before = await revision();

    // The cancelled deadline fires anyway (a crash kept its record): nothing moves.
    expect(await orchestrator!.apply(id, machineEvent.timer('w', { attempt: 1, timer: 'wait' }))).toBe('stale');
    expect(await orchestrator!.apply(id, machineEvent.timer('w', { attempt: 1, timer: 'timeout' }))).toBe('stale');
    expect(await revision()).toBe(before);
    const after = await client.getExecution(id);
    expect(stepOf(after)).toMatchObject({ name: 'w', status: 'completed' });
    expect(stepOf(after, 1)).toMatchObject({ name: 'next', status: 'running', attempts: 1 });
  });

  it('runs a delayed step once when its delay fires twice', async () => {
    const delayed = workflow('stale_delay').task('a', { squad: 'nobody', action: 'x', delay: '5m' }).build();
    const { client, id, settle, revision } = await start(delayed);
    await settle(5 * 60_000); // the delay fires: attempt 1 dispatched
    const dispatched = await client.getExecution(id);
    expect(stepOf(dispatched)).toMatchObject({ status: 'running', attempts: 1 });
    const before = await revision();

    expect(await orchestrator!.apply(id, machineEvent.timer('a', { attempt: 0, timer: 'delay' }))).toBe('stale');
    expect(await orchestrator!.apply(id, machineEvent.timer('a', { attempt: 1, timer: 'delay' }))).toBe('stale');
    expect(await revision()).toBe(before);
    expect(stepOf(await client.getExecution(id))).toMatchObject({ status: 'running', attempts: 1 });
  });
});
