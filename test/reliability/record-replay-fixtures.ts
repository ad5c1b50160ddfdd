/**
 * Records the replay fixtures of this version (matrix A4):
 *
 *     node --import tsx test/reliability/record-replay-fixtures.ts v<N>
 *
 * For each scenario: runs its executions on the memory adapter under a manual
 * clock up to a point mid-way (the events before it), stops the orchestrator
 * there, takes its KV state, then replays the rest of the events on a fresh
 * prefix exactly as the test will (`replay`) and stores what happened as the
 * expected outcome. Writes `test/reliability/fixtures/replay/v<N>/<name>.json`
 * and refuses to overwrite a fixture: recorded fixtures are never edited
 * (see UPGRADE_RULE in replay/fixture.ts).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { workflow, type WorkflowDefinition } from '@squadflow/shared';
import { createMemoryTransport, ManualClock } from '@squadflow/transport';
import { dumpBuckets, feed, FixtureSchema, replay, startDriver, type Fixture, type ScriptStep } from './replay/fixture.ts';

interface Scenario {
  name: string;
  description: string;
  definition: WorkflowDefinition;
  contexts: Record<string, unknown>[];
  /** Events before the fixture's point (fed to the first orchestrator). */
  before: ScriptStep[];
  /** Events after it (the fixture's script). */
  after: ScriptStep[];
}

const ok = (step: string, attempt = 1, output: unknown = { step }): ScriptStep => ({ reply: { step, attempt, ok: true, output } });
const fail = (step: string, attempt: number): ScriptStep => ({
  reply: { step, attempt, ok: false, error: { message: `${step} failed`, code: 'DECLINED', retryable: true } },
});

export const SCENARIOS: Scenario[] = [
  {
    name: 'sequential-delay',
    description: 'a -> b (10 min durable delay) -> c; taken while parked on the delay',
    definition: workflow('replay_sequential')
      .task('a', { squad: 'replay', action: 'go' })
      .task('b', { squad: 'replay', action: 'go', dependsOn: ['a'], delay: '10m', input: '{ "from": steps.a.output.step }' })
      .task('c', { squad: 'replay', action: 'go', dependsOn: ['b'] })
      .build(),
    contexts: [{ order: 1 }],
    before: [ok('a')],
    after: [{ advanceMs: 600_000 }, ok('b'), ok('c')],
  },
  {
    name: 'retry-compensate',
    description: 'reserve (compensated by release) -> charge (1 retry, 1 s backoff, then compensate); taken in the backoff',
    definition: workflow('replay_saga')
      .task('reserve', { squad: 'replay', action: 'go', compensate: { action: 'release' } })
      .task('charge', {
        squad: 'replay',
        action: 'go',
        dependsOn: ['reserve'],
        retry: { retries: 1, initialInterval: '1s', jitter: 0 },
        onError: 'compensate',
      })
      .build(),
    contexts: [{ order: 2 }],
    before: [ok('reserve'), fail('charge', 1)],
    after: [{ advanceMs: 1_000 }, fail('charge', 2), { reply: { step: 'reserve', attempt: 1, compensation: true, ok: true } }],
  },
  {
    name: 'signal-wait',
    description: 'a -> wait for signal hold_<id> (1 h deadline) -> b; taken while waiting',
    definition: workflow('replay_signal')
      .task('a', { squad: 'replay', action: 'go' })
      .wait('hold', { signal: 'hold_{id}', timeout: '1h', dependsOn: ['a'] })
      .task('b', { squad: 'replay', action: 'go', dependsOn: ['hold'] })
      .build(),
    contexts: [{ id: 'x1' }],
    before: [ok('a')],
    after: [{ signal: { key: 'hold_x1', data: { approved: true } } }, ok('b')],
  },
];

/** Runs a scenario up to its point and returns its fixture (expected outcome by replaying it on a fresh prefix). */
export async function record(s: Scenario): Promise<Fixture> {
  const clock = new ManualClock();
  const transport = createMemoryTransport({ clock });
  try {
    const d = await startDriver(transport, clock, 'rec');
    await d.client.registerWorkflow(s.definition);
    for (const context of s.contexts) await d.client.trigger(s.definition.name, context);
    for (const step of s.before) await feed(d, step);
    await d.orchestrator.stop();
    const draft = {
      format: 1 as const,
      name: s.name,
      description: s.description,
      recordedAt: new Date().toISOString(),
      clockAt: clock.now(),
      kv: await dumpBuckets(transport, 'rec'),
      script: s.after,
      expected: { commands: [], status: {} },
    };
    const fixture = FixtureSchema.parse(draft);
    const replayClock = new ManualClock(fixture.clockAt);
    const fresh = createMemoryTransport({ clock: replayClock });
    try {
      return { ...fixture, expected: await replay(fixture, fresh, replayClock, 'rpl') };
    } finally {
      await fresh.close();
    }
  } finally {
    await transport.close();
  }
}

async function main(): Promise<void> {
  const version = process.argv[2];
  if (!version || !/^v\d+$/.test(version)) throw new Error('usage: record-replay-fixtures.ts v<N> (the fixture version to write)');
  const dir = join(fileURLToPath(new URL('.', import.meta.url)), 'fixtures', 'replay', version);
  mkdirSync(dir, { recursive: true });
  for (const s of SCENARIOS) {
    const file = join(dir, `${s.name}.json`);
    if (existsSync(file)) throw new Error(`${file} exists: recorded fixtures are never overwritten; record a new version instead`);
    const fixture = await record(s);
    writeFileSync(file, `${JSON.stringify(fixture, null, 2)}\n`);
    console.log(`${file}: ${fixture.expected.commands.join(' ')} -> ${Object.values(fixture.expected.status).join(', ')}`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
