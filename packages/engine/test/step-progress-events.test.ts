/**
 * `stepProgressEvents: false` (env `SQUADFLOW_STEP_PROGRESS_EVENTS=off`):
 * the routine `step.completed` and `step.skipped` lifecycle events are not
 * published; the execution's own events and a step's failure still are.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { names, silentLogger, SquadflowError, stepCommandCodec, stepReplyCodec, workflow, type LifecycleEvent } from '@squadflow/shared';
import { createMemoryTransport, ManualClock, type MemoryTransport } from '@squadflow/transport';
import { fakeSquad, lifecycleLog } from './fake-squad.ts';
import { EngineClient, Orchestrator } from '../src/index.ts';

const n = names('sqf');
let transport: MemoryTransport | undefined;
let orchestrator: Orchestrator | undefined;
afterEach(async () => {
  await orchestrator?.stop();
  await transport?.close();
  orchestrator = transport = undefined;
});

/** Runs a chain (a step, a skipped step, a step) and one whose only step fails; returns the lifecycle types per execution. */
async function run(stepProgressEvents: boolean | undefined): Promise<Record<string, string[]>> {
  const clock = new ManualClock();
  transport = createMemoryTransport({ clock });
  orchestrator = await Orchestrator.start({
    transport,
    logger: silentLogger(),
    ...(stepProgressEvents === undefined ? {} : { stepProgressEvents }),
  });
  const client = await EngineClient.connect({ transport });
  await fakeSquad(transport, 'ok', () => ({ done: true }));
  // A squad whose every answer is a non-retryable failure.
  await transport.streams.consume(n.streams.commands, { durable: 'fake_bad', filterSubject: n.squadCommands('bad') }, async (msg) => {
    const { id: commandId, executionId, step, attempt, compensation } = stepCommandCodec.decode(msg.data);
    const error = { message: 'no', code: 'NO', retryable: false };
    const reply = { kind: 'reply' as const, commandId, executionId, step, attempt, compensation, ok: false, error };
    await transport!.streams.publish(n.reply(executionId), stepReplyCodec.encode(reply), { msgId: `${commandId}.reply` });
    msg.ack();
  });
  const events: LifecycleEvent[] = await lifecycleLog(transport);
  await client.registerWorkflow(
    workflow('chain')
      .task('a', { squad: 'ok', action: 'run' })
      .task('b', { squad: 'ok', action: 'run', condition: 'false' })
      .task('c', { squad: 'ok', action: 'run' })
      .build(),
  );
  await client.registerWorkflow(workflow('broken').task('x', { squad: 'bad', action: 'run' }).build());
  const chain = await client.trigger('chain', {});
  const broken = await client.trigger('broken', {});
  for (let i = 0; i < 10; i++) {
    await clock.advance(1_000);
    await orchestrator.idle();
  }
  expect((await client.getExecution(chain))?.status).toBe('completed');
  expect((await client.getExecution(broken))?.status).toBe('failed');
  const of = (id: string) => events.filter((e) => e.executionId === id).map((e) => (e.step ? `${e.type} ${e.step}` : e.type));
  return { chain: of(chain), broken: of(broken) };
}

describe('step progress events', () => {
  it('are published by default', async () => {
    const types = await run(undefined);
    expect(types.chain).toEqual(expect.arrayContaining(['execution.started', 'step.completed a', 'step.skipped b', 'execution.completed']));
    expect(types.broken).toEqual(['execution.started', 'step.failed x', 'execution.failed']);
  });

  it('are not published when the deployment turns them off; every other event still is', async () => {
    const types = await run(false);
    expect(types.chain).toEqual(['execution.started', 'execution.completed']);
    expect(types.broken).toEqual(['execution.started', 'step.failed x', 'execution.failed']);
  });

  it('the option is checked, naming the field', async () => {
    transport = createMemoryTransport();
    await expect(
      Orchestrator.start({ transport, logger: silentLogger(), stepProgressEvents: 'no' as unknown as boolean }),
    ).rejects.toSatisfy((err: unknown) => err instanceof SquadflowError && err.issues.some((i) => i.path === 'stepProgressEvents'));
  });
});
