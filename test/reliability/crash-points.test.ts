/**
 * Matrix A1, named crash points: the orchestrator process SIGKILLs itself at
 * one of the points an event passes between its transition and its ack
 * (packages/shared/src/failpoints.ts), the first time one execution reaches
 * it mid-load; the test restarts it unarmed, and the history must be clean.
 * Each point is a place where a crash leaves a different half-done state:
 * a transition never written, a record written whose effects never went
 * out, effects out whose inbound message was never acked.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { within } from '@squadflow/transport/testing';
import { deploy, type Deployment } from '../process/support.ts';
import { faultRun, LONG, WORKLOAD_SQUADS } from './fault-run.ts';

const SEED = Number(process.env['RELIABILITY_SEED'] ?? 11);
const FAILPOINTS = 'SQUADFLOW_FAILPOINTS';

let d: Deployment | undefined;
afterEach(async () => {
  await d?.close();
  d = undefined;
});

/**
 * Each point armed on an event every execution passes, chosen so the crash
 * lands on a different path: a reply (the step that failed once and was
 * retried), a durable timer's firing (the delayed step), a reply whose
 * effects include the next dispatch. The first execution to get there is
 * about a second into the load, with the later triggers still coming.
 */
const POINTS = [
  { point: 'orchestrator.after-transition', match: 'reply.b' },
  { point: 'orchestrator.after-persist', match: 'timer.c' },
  { point: 'orchestrator.after-publish', match: 'reply.d' },
] as const;

describe('orchestrator crash points (A1, named)', () => {
  const executions = LONG ? 500 : 100;
  for (const { point, match } of POINTS) {
    it(`${point}@${match}: SIGKILL there mid-load, restart unarmed, ${executions} executions clean`, { timeout: 180_000 }, async () => {
      // Read at every start of an orchestrator: armed for the first process only.
      const orchestratorEnv: Record<string, string> = { [FAILPOINTS]: `${point}=kill@${match}` };
      d = await deploy('a1p', WORKLOAD_SQUADS, { squadEnv: { SQUAD_CONCURRENCY: '64' }, orchestratorEnv });
      const deployment = d;
      const started = Date.now();
      let killedAfterMs = -1;
      await faultRun({
        label: `A1 crash point ${point}`,
        deployment,
        executions,
        paceMs: 40, // ~4 s of load: the point is reached well inside it
        seed: SEED,
        commandsObserved: true,
        settleMs: 90_000,
        faults: async () => {
          const armed = deployment.orchestrator;
          const exit = await within(armed.exited, 30_000, `the orchestrator to die at ${point}`);
          killedAfterMs = Date.now() - started;
          expect(exit).toBeNull(); // killed by a signal (its own SIGKILL), not an exit
          delete orchestratorEnv[FAILPOINTS];
          await deployment.startOrchestrator();
        },
      });
      console.log(`A1 ${point}@${match}: the orchestrator killed itself ${killedAfterMs} ms into a ${executions * 40} ms load`);
      expect(killedAfterMs).toBeGreaterThan(0);
    });
  }
});
