/**
 * Matrix A: the orchestrator process dies or stops mid-load (real processes,
 * the suite's NATS server). Every run is checked by the history checker.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { names } from '@squadflow/shared';
import { consumerCounts, quietPeriod, type ConsumerCounts } from '@squadflow/transport/testing';
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

  it(
    `A2: a graceful stop (SIGTERM) mid-load exits 0 mid-load and ${executions} executions complete after the restarts`,
    { timeout: 300_000 },
    async () => {
      d = await deploy('a2', WORKLOAD_SQUADS, { squadEnv: { SQUAD_CONCURRENCY: '64' } });
      const deployment = d;
      const n = names(deployment.prefix);
      const held: ConsumerCounts[] = [];
      await faultRun({
        label: 'A2 orchestrator SIGTERM',
        deployment,
        executions,
        paceMs: 40,
        seed: SEED,
        commandsObserved: true,
        settleMs: 120_000,
        faults: async (random) => {
          for (let k = 0; k < 2; k++) {
            await quietPeriod(1_000 + random() * 2_000); // mid-load
            deployment.orchestrator.kill('SIGTERM');
            expect(await deployment.orchestrator.exited).toBe(0);
            held.push(await consumerCounts(n.streams.inbound, n.consumers.orchestrator));
            await deployment.startOrchestrator();
          }
        },
      });
      // A graceful stop drains the inbound consumer (packages/transport/src/nats/draining-pull.ts): no new pull,
      // the outstanding pull requests end on the server, and what they still bring is applied and acked like
      // every event in progress. Nothing is left to wait out AckWait or to be redelivered (NATS 2.9 counts a
      // naked message as ack-pending and redelivered, so naking on the way out would show here too).
      console.log(
        `A2: after each graceful stop: ackPending ${held.map((c) => c.ackPending).join(', ')}; ` +
          `redelivered ${held.map((c) => c.redelivered).join(', ')}; not yet delivered ${held.map((c) => c.pending).join(', ')}`,
      );
      expect(held.map((c) => [c.ackPending, c.redelivered])).toEqual(held.map(() => [0, 0]));
    },
  );

  it(
    `A3: a zombie orchestrator (SIGSTOP past AckWait, another started, then SIGCONT) is fenced: ${executions} executions, clean history`,
    { timeout: 300_000 },
    async () => {
      d = await deploy('a3', WORKLOAD_SQUADS, { squadEnv: { SQUAD_CONCURRENCY: '64' } });
      const deployment = d;
      await faultRun({
        label: 'A3 zombie orchestrator',
        deployment,
        executions,
        paceMs: 50,
        seed: SEED,
        commandsObserved: true,
        settleMs: 120_000,
        faults: async (random) => {
          await quietPeriod(1_000 + random() * 2_000); // mid-load
          const zombie = deployment.orchestrator;
          zombie.kill('SIGSTOP'); // frozen with events in hand and executions in its cache
          await deployment.startOrchestrator(); // takes over: the zombie's messages come back after AckWait (5 s)
          await quietPeriod(8_000); // past AckWait: the new one has applied events the zombie still holds
          zombie.kill('SIGCONT'); // wakes with stale state; its writes must fail their compare-and-set
        },
      });
    },
  );
  it(
    `A5: one of two orchestrator replicas SIGKILLed for good: the survivor takes over its timers; ${executions / 2} executions complete`,
    { timeout: 300_000 },
    async () => {
      d = await deploy('a5', WORKLOAD_SQUADS, { squadEnv: { SQUAD_CONCURRENCY: '64' } });
      const deployment = d;
      const lost = deployment.orchestrator;
      // The survivor starts before any timer is stored, so arming them at its start does not cover them.
      const survivor = await deployment.startOrchestrator();
      await faultRun({
        label: 'A5 replica lost for good',
        deployment,
        executions: executions / 2,
        paceMs: 30,
        seed: SEED,
        commandsObserved: true,
        // Its events come back after AckWait (5 s); its stored timers are taken over by the survivor's sweep
        // (every 15 s, once 10 s overdue). Without the sweep they would wait for a restart that never comes.
        settleMs: 120_000,
        faults: async (random) => {
          // Frozen for a while, the survivor leaves the load to the other one: delays and back-offs pile up there.
          survivor.kill('SIGSTOP');
          await quietPeriod(1_000 + random() * 1_000);
          survivor.kill('SIGCONT');
          lost.kill('SIGKILL');
          expect(await lost.exited).toBeNull();
        },
      });
    },
  );
});
