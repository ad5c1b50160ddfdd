/**
 * Matrix D: the wire duplicates, reorders and delays messages. The
 * orchestrator and the squads run in this process on the suite's NATS server;
 * the squads' transport is wrapped so that their replies reach the inbound
 * stream several times (under other message ids, so JetStream's own dedup
 * cannot hide them) or late and out of order. Every run is checked by the
 * history checker.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { Orchestrator, EngineClient } from '@squadflow/engine';
import { createLogger, workflow } from '@squadflow/shared';
import { defineSquad, startSquad, type ActionContext, type RunningSquad } from '@squadflow/squads';
import type { Transport } from '@squadflow/transport';
import { withNatsTransport, type Invocation, type NatsTestTransport } from '@squadflow/transport/testing';
import { checkHistory, formatReport } from './checker.ts';
import { explainFailures, recordedRun, seededRandom } from './fault-run.ts';
import type { Deployment } from '../process/support.ts';
import { invocationOf } from '../process/fixtures/invocation.ts';

const SEED = Number(process.env['RELIABILITY_SEED'] ?? 41);
const logger = createLogger({ level: 'warn' });

interface WireFaults {
  /** Extra copies of each reply (0–n, seeded). */
  copies?: number;
  /** Maximum extra delay of a reply (uniform, seeded): later replies overtake earlier ones. */
  maxDelayMs?: number;
}

/** The squads' view of the transport: replies published 1 + U(0, copies) times, each after U(0, maxDelayMs). */
function faultyWire(transport: Transport, faults: WireFaults, random: () => number): Transport {
  const streams = transport.streams;
  const publish: Transport['streams']['publish'] = async (subject, data, options) => {
    if (!subject.includes('.in.reply.')) return streams.publish(subject, data, options);
    const copies = Math.floor(random() * ((faults.copies ?? 0) + 1));
    const send = async (copy: number): Promise<void> => {
      if (faults.maxDelayMs) await sleep(random() * faults.maxDelayMs); // the wire's delay, the fault under test
      const msgId = options?.msgId === undefined ? undefined : copy === 0 ? options.msgId : `${options.msgId}.copy${copy}`;
      await streams.publish(subject, data, msgId === undefined ? {} : { ...options, msgId });
    };
    await send(0);
    void Promise.all(Array.from({ length: copies }, (_, i) => send(i + 1))).catch(() => undefined);
  };
  return override(transport, { streams: override(streams, { publish }) });
}

/** `target` with some members replaced (a proxy: adapters are class instances with methods on their prototypes). */
function override<T extends object>(target: T, members: Partial<T>): T {
  return new Proxy(target, {
    get(t, property) {
      if (Object.hasOwn(members, property)) return members[property as keyof T];
      const value: unknown = Reflect.get(t, property, t);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(t) : value;
    },
  });
}

interface InProcess {
  nats: NatsTestTransport;
  orchestrator: Orchestrator;
  squads: RunningSquad[];
  deployment: Deployment;
}

let running: InProcess | undefined;
afterEach(async () => {
  if (!running) return;
  await Promise.all(running.squads.map((s) => s.stop()));
  await running.orchestrator.stop();
  await running.nats.cleanup();
  running = undefined;
});

/** An orchestrator and the squads alpha and beta in this process; the squads publish through a faulty wire. */
async function start(label: string, faults: WireFaults): Promise<InProcess> {
  const nats = await withNatsTransport(label);
  const { transport, prefix } = nats;
  const ledger: Invocation[] = [];
  const record = (action: string, ctx: ActionContext): void => void ledger.push(invocationOf(action, ctx));
  const actions = {
    noop: (_input: unknown, ctx: ActionContext) => (record('noop', ctx), { step: ctx.step, attempt: ctx.attempt }),
    /** Fails attempt 1, succeeds after. */
    flaky: (_input: unknown, ctx: ActionContext) => {
      record('flaky', ctx);
      if (ctx.attempt === 1) throw new Error('flaky failure on attempt 1');
      return { attempt: ctx.attempt };
    },
    /** Attempt 1 answers after its timeout (a late reply); later attempts answer at once. */
    late: async (_input: unknown, ctx: ActionContext) => {
      record('late', ctx);
      if (ctx.attempt === 1) await sleep(1_500); // outlives the step's 1 s timeout on purpose
      return { attempt: ctx.attempt };
    },
  };
  const orchestrator = await Orchestrator.start({ transport, prefix, logger });
  const wire = faultyWire(transport, faults, seededRandom(SEED));
  const squads = await Promise.all(
    ['alpha', 'beta'].map((name) =>
      startSquad({ transport: wire, prefix, logger, concurrency: 128, definition: defineSquad({ name, actions }) }),
    ),
  );
  const client = await EngineClient.connect({ transport, prefix });
  const deployment = { prefix, transport, client, invocations: () => ledger } as unknown as Deployment;
  running = { nats, orchestrator, squads, deployment };
  return running;
}

const chain = workflow('wire')
  .task('a', { squad: 'alpha', action: 'noop' })
  .task('b', { squad: 'beta', action: 'flaky', dependsOn: ['a'], retry: { retries: 1, initialInterval: '50ms' } })
  .task('c', { squad: 'alpha', action: 'late', dependsOn: ['b'], timeout: '1s', retry: { retries: 1, initialInterval: '50ms' } })
  .task('d', { squad: 'beta', action: 'noop', dependsOn: ['c'] })
  .build();
const shape = { steps: { a: {}, b: { dependsOn: ['a'] }, c: { dependsOn: ['b'] }, d: { dependsOn: ['c'] } } };

describe('wire faults', () => {
  for (const [id, what, faults] of [
    ['D1', 'each reply delivered 1-3 times', { copies: 2 }],
    ['D2', 'replies delayed up to 150 ms (reordered) and late replies after a timeout and retry', { copies: 1, maxDelayMs: 150 }],
  ] as const) {
    it(`${id}: ${what}: one transition per attempt, the same result as a serial run`, { timeout: 120_000 }, async () => {
      const { deployment } = await start(id.toLowerCase(), faults);
      const history = await recordedRun({
        deployment,
        definition: chain,
        executions: 50,
        context: (i) => ({ n: i }),
        paceMs: 10,
        seed: SEED,
        settleMs: 60_000,
        faults: async () => {},
      });
      const report = checkHistory(history, { shape, commandsObserved: true });
      console.log(formatReport(`${id} wire`, report));
      await explainFailures(deployment, history);
      expect(report.violations).toEqual([]);
      expect(report.ended).toEqual({ completed: 50 });
      // The fault happened: more replies reached the stream than attempts were answered.
      expect(history.of('reply.published').length).toBeGreaterThan(report.effects);
      for (const e of history.of('execution.ended')) {
        const view = (await deployment.client.getExecution(e.executionId))!;
        // A duplicated failure reply would use up the retry; a late reply of attempt 1 would overwrite attempt 2.
        // Attempt 1 of c ends at its deadline either way: the orchestrator's timer (`timed_out`) or the squad's
        // own deadline answering TIMEOUT (`failed`), whichever lands first; both are the same attempt's timeout.
        const outcome = (a: { status: string; error?: { code?: string } }): string =>
          a.status === 'failed' && a.error?.code === 'TIMEOUT' ? 'timed_out' : a.status;
        const attempts = Object.fromEntries(view.steps.map((s) => [s.name, s.attempts.map(outcome)]));
        expect(attempts).toEqual({ a: ['completed'], b: ['failed', 'completed'], c: ['timed_out', 'completed'], d: ['completed'] });
        expect(view.steps.find((s) => s.name === 'c')!.output).toEqual({ attempt: 2 });
      }
    });
  }

  it('D3: the same trigger sent 2-10 times at once starts exactly one execution', { timeout: 60_000 }, async () => {
    const { deployment } = await start('d3', {});
    await deployment.client.registerWorkflow(chain);
    const random = seededRandom(SEED);
    const ids = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        Promise.all(
          Array.from({ length: 2 + Math.floor(random() * 9) }, () =>
            deployment.client.trigger('wire', { n: i }, { idempotencyKey: `wamid.${i}` }),
          ),
        ),
      ),
    );
    for (const same of ids) expect(new Set(same).size).toBe(1);
    const views = await Promise.all(ids.map(([id]) => deployment.client.waitFor(id!, undefined, 30_000)));
    expect(views.map((v) => v.status)).toEqual(ids.map(() => 'completed'));
    const list = await deployment.client.listExecutions({ workflow: 'wire', limit: 100 });
    expect(list).toHaveLength(20);
  });
});
