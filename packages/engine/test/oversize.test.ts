import { afterEach, describe, expect, it } from 'vitest';
import { names as makeNames, silentLogger, workflow } from '@squadflow/shared';
import { fakeSquad, lifecycleLog } from './fake-squad.ts';
import { createMemoryTransport, ManualClock, type MemoryTransport } from '@squadflow/transport';
import { EngineClient, Orchestrator } from '../src/index.ts';

const n = makeNames('sqf');
const KiB = 1024;

describe('payloads too large for a step or for the execution record', () => {
  let transport: MemoryTransport | undefined;
  let orchestrator: Orchestrator | undefined;
  afterEach(async () => {
    await orchestrator?.stop();
    await transport?.close();
    orchestrator = transport = undefined;
  });

  async function setup() {
    const clock = new ManualClock();
    transport = createMemoryTransport({ clock });
    orchestrator = await Orchestrator.start({ transport, logger: silentLogger() });
    const client = await EngineClient.connect({ transport });
    const settle = async (): Promise<void> => {
      for (let i = 0; i < 10; i++) {
        await clock.advance(1_000);
        await orchestrator!.idle();
      }
    };
    await client.registerWorkflow(workflow('healthy').task('one', { squad: 'small', action: 'run' }).build());
    return { clock, client, settle, transport, orchestrator };
  }

  it('a mapped input over the step bound fails its step (PAYLOAD_TOO_LARGE, not retried) before anything is stored or sent', async () => {
    const { client, settle, transport } = await setup();
    const commands = await fakeSquad(transport, 'small', () => ({ ok: true }));
    await client.registerWorkflow(
      workflow('mapped')
        .task('big', { squad: 'small', action: 'run', input: '[1..n]', retry: { retries: 3 } })
        .build(),
    );
    // 90,000 numbers: within the expression limits (100,000 items), about 530 KB as JSON, over the 256 KiB step bound.
    const mapped = await client.trigger('mapped', { n: 90_000 });
    const healthy = await client.trigger('healthy', {});
    await settle();

    const view = await client.getExecution(mapped);
    expect(view?.status).toBe('failed');
    const big = view?.steps.find((s) => s.name === 'big');
    expect(big?.status).toBe('failed');
    expect(big?.error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', retryable: false });
    expect(big?.error?.message).toBe(`the mapped input is over the ${256 * KiB}-byte bound for a step's input`);
    expect(commands.filter((c) => c.executionId === mapped)).toEqual([]);
    expect((await client.getExecution(healthy))?.status).toBe('completed');
  });

  it("a squad's reply over the step bound fails its step with PAYLOAD_TOO_LARGE", async () => {
    const { client, settle, transport } = await setup();
    await fakeSquad(transport, 'small', () => ({ ok: true }));
    await fakeSquad(transport, 'chatty', () => ({ blob: 'x'.repeat(300 * KiB) }));
    await client.registerWorkflow(workflow('talkative').task('dump', { squad: 'chatty', action: 'run' }).build());
    const id = await client.trigger('talkative', {});
    await settle();

    const dump = (await client.getExecution(id))?.steps.find((s) => s.name === 'dump');
    expect(dump?.status).toBe('failed');
    expect(dump?.error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', retryable: false });
    expect(dump?.error?.message).toMatch(/^the reply is \d+ bytes, over the 262144-byte bound for a step's output$/);
  });

  it('outputs that pile up past what the store accepts fail the execution (RECORD_TOO_LARGE) instead of retrying its event forever', async () => {
    const { client, settle, transport, orchestrator: o } = await setup();
    await fakeSquad(transport, 'small', () => ({ ok: true }));
    await fakeSquad(transport, 'bulky', (c) => ({ step: c.step, blob: 'x'.repeat(200 * KiB) })); // each under the step bound
    const lifecycle = await lifecycleLog(transport);
    const steps = Array.from({ length: 8 }, (_, i) => ({
      name: `s${i + 1}`,
      type: 'task',
      squad: 'bulky',
      action: 'run',
      ...(i ? { dependsOn: [`s${i}`] } : {}),
    }));
    await client.registerWorkflow({ name: 'hoarder', steps });
    const id = await client.trigger('hoarder', {});
    await settle();
    const healthy = await client.trigger('healthy', {});
    await settle();

    const view = await client.getExecution(id);
    expect(view?.status).toBe('failed');
    expect(view?.error?.code).toBe('RECORD_TOO_LARGE');
    expect(view?.error?.message).toMatch(/^the execution record would be \d+ bytes, over the store's 1048576-byte limit/);
    // It stopped where the last record that fitted left it: some steps done, the rest never started.
    expect(view?.steps.filter((s) => s.status === 'completed').length).toBeGreaterThanOrEqual(3);
    expect(view?.steps.find((s) => s.name === 's8')?.status).toBe('blocked');
    expect(lifecycle.filter((e) => e.executionId === id).at(-1)).toMatchObject({
      type: 'execution.failed',
      data: { code: 'RECORD_TOO_LARGE' },
    });
    expect(o.stats().quarantined).toEqual({ poisonEvents: 0, recordsTooLarge: 1 });
    expect((await client.getExecution(healthy))?.status).toBe('completed');
    expect(transport.streams.info(n.streams.inbound)?.messages).toBe(0);
  });
});
