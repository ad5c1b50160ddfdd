/**
 * Matrix E1: the wall clock jumps under an orchestrator with executions
 * parked on durable delays (memory adapter, in-process, the real timers of
 * Node under a wall clock the test can jump: `wallClock({ now })`).
 *
 * Forward 1 h: every delay due inside the skipped hour fires once, within
 * 5 s of the jump (the clock's watcher looks every second; Node's own timer
 * would have waited the full delay); those due after it wait.
 * Backward 1 h: nothing fires before its wall due time (Node's timer goes off
 * after the delay it was armed with; the alarm sees the wall clock is short
 * and waits again); once the clock is forward again, it fires once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { names, silentLogger, workflow, type LifecycleEvent, type StepCommand } from '@squadflow/shared';
import { createMemoryTransport, wallClock, type Transport } from '@squadflow/transport';
import { quietPeriod, until } from '@squadflow/transport/testing';
import { EngineClient, Orchestrator } from '../src/index.ts';
import { fakeSquad, lifecycleLog } from './fake-squad.ts';

const HOUR = 3_600_000;
const MINUTE = 60_000;
/** The matrix's bound: timers due in a skipped interval fire at most this long after the jump. */
const PROMPT_MS = 5_000;
const PER_DELAY = 4;

/** A wall clock the test moves by hand: `offset` is added to the real time. */
function jumpingClock() {
  let offset = 0;
  const clock = wallClock({ now: () => Date.now() + offset });
  return { clock, jump: (ms: number) => (offset += ms) };
}

/** `first` runs at once; `later` runs `delay` after it (a durable timer). */
const delayed = (name: string, delay: string) =>
  workflow(name)
    .task('first', { squad: 'jumps', action: 'go' })
    .task('later', { squad: 'jumps', action: 'go', dependsOn: ['first'], delay })
    .build();

describe('E1: wall-clock jumps', () => {
  const open: Array<{ stop(): Promise<void> } | Transport> = [];
  afterEach(async () => {
    for (const x of open.splice(0).reverse()) await ('close' in x ? x.close() : x.stop());
  });

  it('forward 1 h fires the skipped delays once and promptly; backward 1 h fires nothing early; nothing lost or doubled', async () => {
    const { clock, jump } = jumpingClock();
    const transport = createMemoryTransport({ clock });
    open.push(transport);
    const orchestrator = await Orchestrator.start({ transport, logger: silentLogger() });
    open.push(orchestrator);
    const client = await EngineClient.connect({ transport });
    /** When (wall clock) each command reached the squad, by command id. */
    const received = new Map<string, number>();
    const commands: StepCommand[] = await fakeSquad(transport, 'jumps', (c) => {
      received.set(c.id, clock.now());
      return {};
    });
    const ended: LifecycleEvent[] = await lifecycleLog(transport);
    const delays = { d10m: 10 * MINUTE, d30m: 30 * MINUTE, d59m: 59 * MINUTE, d2h: 2 * HOUR, d2s: 2_000 };
    for (const [name, ms] of Object.entries(delays)) await client.registerWorkflow(delayed(name, `${ms}ms`));

    const timers = await transport.kv(names('sqf').buckets.timers);
    const trigger = async (workflows: string[]): Promise<Map<string, string>> => {
      const ids = new Map<string, string>();
      for (const w of workflows) for (let i = 0; i < PER_DELAY; i++) ids.set(await client.trigger(w, { i }), w);
      // Parked: each execution's first step done and its delay stored.
      await until(
        'the delays stored',
        () => timers.keys(),
        (keys) => [...ids.keys()].every((id) => keys.some((k) => k.startsWith(`${id}.later.`))),
      );
      return ids;
    };
    const completed = (ids: Iterable<string>) => {
      const done = new Set(ended.filter((e) => e.type === 'execution.completed').map((e) => e.executionId));
      return [...ids].filter((id) => done.has(id));
    };
    /** The wall time each execution's delay fell due: when its first step's reply came, plus the delay. */
    const laterRanAt = (id: string) => received.get(commands.find((c) => c.executionId === id && c.step === 'later')!.id)!;
    const firstRanAt = (id: string) => received.get(commands.find((c) => c.executionId === id && c.step === 'first')!.id)!;

    const parked = await trigger(['d10m', 'd30m', 'd59m', 'd2h']);
    const inside = [...parked].filter(([, w]) => w !== 'd2h').map(([id]) => id);
    const after = [...parked].filter(([, w]) => w === 'd2h').map(([id]) => id);

    // Forward: the skipped hour's delays fire promptly, once; the 2 h ones wait.
    jump(HOUR);
    const jumpedAt = Date.now();
    await until(
      'the skipped delays fired',
      async () => completed(inside),
      (done) => done.length === inside.length,
      PROMPT_MS,
    );
    const forwardLatency = Date.now() - jumpedAt;
    expect(completed(after)).toEqual([]);

    // Backward: delays armed just before the jump (2 s) must not fire 2 s later, when the wall clock is an hour short.
    const shortParked = await trigger(['d2s']);
    const short = [...shortParked.keys()];
    jump(-HOUR);
    await quietPeriod(3_000); // past the 2 s Node's own timers were armed with: nothing may fire
    expect(completed(short)).toEqual([]);
    expect(commands.filter((c) => short.includes(c.executionId) && c.step === 'later')).toEqual([]);
    // The wall clock comes back: they fire, once, promptly.
    jump(HOUR);
    await until(
      'the 2 s delays fired',
      async () => completed(short),
      (done) => done.length === short.length,
      PROMPT_MS,
    );
    // And the 2 h ones once their time comes.
    expect(completed(after)).toEqual([]);
    jump(HOUR);
    await until(
      'the 2 h delays fired',
      async () => completed(after),
      (done) => done.length === after.length,
      PROMPT_MS,
    );
    await orchestrator.idle();

    const all = [...inside, ...after, ...short];
    // Lost 0: every execution completed. Duplicates 0: one terminal event each, one command per step.
    expect(completed(all).length).toBe(all.length);
    const terminal = ended.filter(
      (e) => e.type.startsWith('execution.') && !['execution.started', 'execution.paused', 'execution.resumed'].includes(e.type),
    );
    expect(terminal.length).toBe(all.length);
    const steps = commands.map((c) => `${c.executionId}.${c.step}`);
    expect(new Set(steps).size).toBe(steps.length);
    expect(steps.length).toBe(2 * all.length);
    // Early 0: no delayed step ran before its first step's time plus the delay (wall clock).
    const workflowOf = new Map([...parked, ...shortParked]);
    const early = all.filter((id) => laterRanAt(id) < firstRanAt(id) + delays[workflowOf.get(id) as keyof typeof delays]);
    expect(early).toEqual([]);
    console.log(
      `E1: ${all.length} executions, lost 0, duplicate 0, early 0; skipped delays fired ${forwardLatency} ms after the +1 h jump`,
    );
  });
});
