/**
 * Matrix C: squads crash, hang, poison their commands, or fail to compensate.
 * Squads and the orchestrator are real processes on the suite's NATS server;
 * every run is checked by the history checker.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { workflow, type WorkflowDefinition } from '@squadflow/shared';
import { spawnTsProcess } from '@squadflow/transport/testing';
import { deploy, type Deployment } from '../process/support.ts';
import { checkHistory, formatReport, type CheckReport } from './checker.ts';
import { explainFailures, faultRun, killRepeatedly, LONG, recordedRun, WORKLOAD_SQUADS } from './fault-run.ts';
import type { History } from './history.ts';

const SEED = Number(process.env['RELIABILITY_SEED'] ?? 31);

let d: Deployment | undefined;
afterEach(async () => {
  await d?.close();
  d = undefined;
});

/** Checks a run whose executions end as designed (compensated, escalated...): no violation, and the expected ends. */
async function expectEnds(label: string, deployment: Deployment, history: History, ended: Record<string, number>): Promise<CheckReport> {
  const report = checkHistory(history, { commandsObserved: true });
  console.log(formatReport(label, report));
  if (JSON.stringify(report.ended) !== JSON.stringify(ended)) await explainFailures(deployment, history);
  expect(report.violations).toEqual([]);
  expect(report.ended).toEqual(ended);
  return report;
}

/** A small run of `definition`: its executions 20 ms apart while `faults` runs. */
function smallRun(
  deployment: Deployment,
  definition: WorkflowDefinition,
  executions: number,
  faults: () => Promise<void>,
): Promise<History> {
  return recordedRun({ deployment, definition, executions, context: (i) => ({ n: i }), paceMs: 20, seed: SEED, settleMs: 60_000, faults });
}

/** The effects a run's squads applied for one step, by execution. */
function effectsOf(history: History, step: string, compensation = false) {
  return history.of('effect.applied').filter((e) => e.step === step && e.compensation === compensation);
}

describe('squad faults', () => {
  const executions = LONG ? 1_000 : 200;
  const kills = LONG ? 10 : 3;

  it(`C1: ${executions} executions survive ${kills} SIGKILLs of a squad process mid-step`, { timeout: 300_000 }, async () => {
    d = await deploy('c1', WORKLOAD_SQUADS, { squadEnv: { SQUAD_CONCURRENCY: '64' } });
    const deployment = d;
    const beta = WORKLOAD_SQUADS.indexOf('beta');
    await faultRun({
      label: 'C1 squad SIGKILL',
      deployment,
      executions,
      paceMs: Math.round((kills * 3_000) / executions),
      seed: SEED,
      commandsObserved: true,
      settleMs: 120_000,
      faults: killRepeatedly(
        kills,
        () => deployment.squads[beta]!,
        async () => (deployment.squads[beta] = await restartSquad(deployment, 'beta')),
      ),
    });
  });

  it(
    'C2: a squad that hangs (SIGSTOP) times its attempts out on time, compensates each execution once, and runs none of the stale commands when it wakes',
    {
      timeout: 120_000,
    },
    async () => {
      d = await deploy('c2', ['alpha', 'beta']);
      const deployment = d;
      const alpha = deployment.squads[0]!;
      const history = await smallRun(
        deployment,
        workflow('hang')
          .task('reserve', { squad: 'beta', action: 'noop', compensate: { action: 'compensate' } })
          .task('work', {
            squad: 'alpha',
            action: 'noop',
            dependsOn: ['reserve'],
            timeout: '2s',
            retry: { retries: 1, initialInterval: '100ms' },
            onError: 'compensate',
          })
          .build(),
        10,
        async () => alpha.kill('SIGSTOP'),
      );
      alpha.kill('SIGCONT');
      // A later execution completes through the woken squad: by then it has seen every stale command before it.
      const after = await deployment.client.trigger('hang', { n: 'after' });
      expect((await deployment.client.waitFor(after, undefined, 30_000)).status).toBe('completed');

      await expectEnds('C2 squad hang', deployment, history, { compensated: 10 });
      const stale = effectsOf(history, 'work').filter((e) => e.executionId !== after);
      expect(stale).toEqual([]); // no timed-out command ran once the squad woke up
      expect(effectsOf(history, 'reserve', true)).toHaveLength(10); // one compensation per execution
      for (const e of history.of('execution.ended')) {
        const view = (await deployment.client.getExecution(e.executionId))!;
        const attempts = view.steps.find((s) => s.name === 'work')!.attempts;
        expect(attempts.map((a) => a.status)).toEqual(['timed_out', 'timed_out']);
        for (const a of attempts) {
          const ms = a.endedAt! - a.startedAt;
          expect(ms).toBeGreaterThanOrEqual(2_000); // never early
          expect(ms).toBeLessThanOrEqual(3_000); // T + max(1 s, 5%)
        }
      }
    },
  );

  it(
    'C3: a poison command (the squad always throws) stops after its attempts and compensates the completed steps in reverse order, each once',
    {
      timeout: 120_000,
    },
    async () => {
      d = await deploy('c3', ['alpha', 'beta']);
      const deployment = d;
      const history = await smallRun(
        deployment,
        workflow('poison')
          .task('reserve', { squad: 'beta', action: 'noop', compensate: { action: 'compensate' } })
          .task('charge', { squad: 'beta', action: 'noop', dependsOn: ['reserve'], compensate: { action: 'compensate' } })
          .task('ship', {
            squad: 'alpha',
            action: 'fail',
            input: '{ "retryable": true, "message": "poison" }',
            dependsOn: ['charge'],
            retry: { retries: 2, initialInterval: '100ms' },
            onError: 'compensate',
          })
          .build(),
        20,
        async () => {},
      );
      await expectEnds('C3 poison command', deployment, history, { compensated: 20 });
      for (const id of history.of('trigger.accepted').map((e) => e.executionId)) {
        const attempts = effectsOf(history, 'ship').filter((e) => e.executionId === id);
        expect(attempts.map((e) => e.attempt)).toEqual([1, 2, 3]); // stops after its attempts
        const undo = history.of('effect.applied').filter((e) => e.executionId === id && e.compensation);
        expect(undo.sort((x, y) => x.at - y.at).map((e) => e.step)).toEqual(['charge', 'reserve']);
      }
    },
  );

  it('C4: a compensation that fails ends its execution escalated, not stuck', { timeout: 120_000 }, async () => {
    d = await deploy('c4', ['alpha', 'beta']);
    const deployment = d;
    const history = await smallRun(
      deployment,
      workflow('bad_undo')
        .task('reserve', { squad: 'beta', action: 'noop', compensate: { action: 'fail', input: '{ "message": "cannot undo" }' } })
        .task('ship', { squad: 'alpha', action: 'fail', dependsOn: ['reserve'], onError: 'compensate' })
        .build(),
      10,
      async () => {},
    );
    await expectEnds('C4 failing compensation', deployment, history, { escalated: 10 });
    expect(effectsOf(history, 'reserve', true)).toHaveLength(10); // each compensation tried once (not retryable)
  });
});

/** Starts a replacement fixture squad process with the deployment's environment. */
function restartSquad(deployment: Deployment, squad: string) {
  return spawnTsProcess(
    'test/process/fixtures/squad-process.ts',
    { ...deployment.env, SQUAD_NAME: squad, SQUAD_CONCURRENCY: '64' },
    { label: `squad ${squad}` },
  );
}
