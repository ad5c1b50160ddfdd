/**
 * Matrix A: the orchestrator process dies or stops mid-load (real processes,
 * the suite's NATS server). Every run is checked by the history checker.
 */
import { afterEach, describe, it } from 'vitest';
import { deploy, type Deployment } from '../process/support.ts';
import { faultRun, killRepeatedly, LONG, WORKLOAD_SQUADS } from './fault-run.ts';

const SEED = Number(process.env['RELIABILITY_SEED'] ?? 11);

let d: Deployment | undefined;
afterEach(async () => {
  await d?.close();
  d = undefined;
});

describe('orchestrator faults', () => {
  const kills = LONG ? 20 : 5;
  const executions = LONG ? 1_000 : 200;
  it(`A1: ${executions} executions survive ${kills} SIGKILLs of the orchestrator at random times`, { timeout: 300_000 }, async () => {
    d = await deploy('a1', WORKLOAD_SQUADS, { squadEnv: { SQUAD_CONCURRENCY: '64' } });
    const deployment = d;
    await faultRun({
      label: 'A1 orchestrator SIGKILL',
      deployment,
      executions,
      // Spread the triggers over the kills (each: U(0.5, 3) s of work, then a restart of ~1.5 s).
      paceMs: Math.round((kills * 3_250) / executions),
      seed: SEED,
      commandsObserved: true,
      settleMs: 120_000,
      faults: killRepeatedly(
        kills,
        () => deployment.orchestrator,
        () => deployment.startOrchestrator(),
      ),
    });
  });
});
