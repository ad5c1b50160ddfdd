import { afterEach, describe, expect, it } from 'vitest';
import { armFailpoint, disarmFailpoints, names as makeNames, silentLogger, workflow } from '@squadflow/shared';
import { createMemoryTransport, ManualClock, type MemoryTransport } from '@squadflow/transport';
import { fakeSquad, lifecycleLog } from './fake-squad.ts';
import { EngineClient, Orchestrator } from '../src/index.ts';
import { machineEvent } from '../src/compile/events.ts';

const n = makeNames('sqf');

describe('a poison event', () => {
  let transport: MemoryTransport | undefined;
  let orchestrator: Orchestrator | undefined;
  afterEach(async () => {
    disarmFailpoints();
    await orchestrator?.stop();
    await transport?.close();
    orchestrator = transport = undefined;
  });

  it('whose apply always throws ends its execution failed (POISON_EVENT) after maxEventAttempts tries, while another execution completes', async () => {
    const clock = new ManualClock();
    transport = createMemoryTransport({ clock });
    orchestrator = await Orchestrator.start({ transport, logger: silentLogger(), maxEventAttempts: 3 });
    const client = await EngineClient.connect({ transport });
    await fakeSquad(transport, 'worker', (c) => ({ done: c.step }));
    const lifecycle = await lifecycleLog(transport);
    await client.registerWorkflow(
      workflow('poisoned')
        .task('explode', { squad: 'worker', action: 'run' })
        .task('after', { squad: 'worker', action: 'run', dependsOn: ['explode'] })
        .build(),
    );
    await client.registerWorkflow(
      workflow('healthy')
        .task('one', { squad: 'worker', action: 'run' })
        .task('two', { squad: 'worker', action: 'run', dependsOn: ['one'] })
        .build(),
    );
    // Applying the reply of step "explode" throws, every time.
    armFailpoint('orchestrator.apply', { action: 'throw', match: 'reply.explode' });

    const poisoned = await client.trigger('poisoned', {});
    await clock.advance(0);
    await orchestrator.idle();
    const healthy = await client.trigger('healthy', {});
    // Redeliveries come after the nak's back-off (1 s, then 2 s): let a minute of clock pass.
    for (let s = 0; s < 60; s++) {
      await clock.advance(1_000);
      await orchestrator.idle();
    }

    const view = await client.getExecution(poisoned);
    expect(view?.status).toBe('failed');
    expect(view?.error?.code).toBe('POISON_EVENT');
    expect(view?.error?.message).toMatch(
      /^reply to step "explode" \(attempt 1\) failed 3 times; last error: FailpointError: failpoint orchestrator\.apply fired/,
    );
    expect(view?.steps.find((s) => s.name === 'explode')?.status).toBe('running'); // where it stood; the reply never applied
    expect((await client.getExecution(healthy))?.status).toBe('completed');
    expect(orchestrator.stats().quarantined).toEqual({ poisonEvents: 1, recordsTooLarge: 0 });
    expect(lifecycle.filter((e) => e.executionId === poisoned).map((e) => e.type)).toEqual(['execution.started', 'execution.failed']);
    expect(lifecycle.find((e) => e.type === 'execution.failed')?.data).toMatchObject({ code: 'POISON_EVENT' });

    // It takes no more events, and its stored outbox is never replayed (a restored actor is marked quarantined).
    disarmFailpoints();
    expect(await orchestrator.apply(poisoned, machineEvent.reply('explode', false, { attempt: 1, ok: true, output: {} }))).toBe('ended');
    expect((await client.getExecution(poisoned))?.status).toBe('failed');
    // The inbound stream holds nothing more: every message was settled.
    expect(
      transport.kind === 'memory' && (transport as ReturnType<typeof createMemoryTransport>).streams.info(n.streams.inbound)?.messages,
    ).toBe(0);
  });
});

describe('a poison timer', () => {
  afterEach(() => disarmFailpoints());

  it('whose event always throws ends its execution failed (POISON_EVENT) instead of firing again every second', async () => {
    const clock = new ManualClock();
    const transport = createMemoryTransport({ clock });
    const orchestrator = await Orchestrator.start({ transport, logger: silentLogger(), maxEventAttempts: 3 });
    try {
      const client = await EngineClient.connect({ transport });
      await fakeSquad(transport, 'worker', () => ({}));
      await client.registerWorkflow(workflow('later').task('wake', { squad: 'worker', action: 'run', delay: '5s' }).build());
      armFailpoint('orchestrator.apply', { action: 'throw', match: 'timer.wake' });
      const id = await client.trigger('later', {});
      for (let s = 0; s < 20; s++) {
        await clock.advance(1_000);
        await orchestrator.idle();
      }
      const view = await client.getExecution(id);
      expect(view?.error).toMatchObject({ code: 'POISON_EVENT' });
      expect(view?.error?.message).toMatch(/^delay timer of step "wake" failed 3 times; last error: FailpointError/);
      expect(orchestrator.stats().quarantined.poisonEvents).toBe(1);
    } finally {
      await orchestrator.stop();
      await transport.close();
    }
  });
});

describe('an inbound message that does not decode', () => {
  it('is terminated at once (never redelivered) while the next message is applied', async () => {
    const clock = new ManualClock();
    const transport = createMemoryTransport({ clock });
    const orchestrator = await Orchestrator.start({ transport, logger: silentLogger() });
    try {
      const client = await EngineClient.connect({ transport });
      await fakeSquad(transport, 'worker', () => ({}));
      await client.registerWorkflow(workflow('healthy').task('one', { squad: 'worker', action: 'run' }).build());
      await transport.streams.publish(n.reply('ex_garbled'), new TextEncoder().encode('{"kind":"reply","ok":"maybe"}'));
      await transport.streams.publish(n.trigger('healthy'), new TextEncoder().encode('not json'));
      const id = await client.trigger('healthy', {});
      await clock.advance(0);
      await orchestrator.idle();
      await clock.advance(0);
      await orchestrator.idle();
      expect((await client.getExecution(id))?.status).toBe('completed');
      expect(transport.streams.info(n.streams.inbound)?.messages).toBe(0);
    } finally {
      await orchestrator.stop();
      await transport.close();
    }
  });
});

describe('orchestrator options', () => {
  it('refuses a bad bound, naming the field', async () => {
    const transport = createMemoryTransport();
    try {
      await expect(Orchestrator.start({ transport, maxEventAttempts: 0 })).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        issues: [{ path: 'maxEventAttempts' }],
      });
      await expect(Orchestrator.start({ transport, signalBuffer: { ttlMs: -1 } })).rejects.toMatchObject({
        issues: [{ path: 'signalBuffer.ttlMs' }],
      });
    } finally {
      await transport.close();
    }
  });
});
