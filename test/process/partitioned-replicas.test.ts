/**
 * Issue 15, part 4: three orchestrator replicas (real OS processes) share the
 * partitions; one is SIGKILLed mid-load. Its partitions must move to the
 * survivors within seconds (after its leases' 5 s ttl), and the history
 * checker must find nothing lost, duplicated or stuck. No timer may take
 * effect twice: every step attempt but the last ended in a failure or a
 * timeout (a retry backoff or delay applied twice would start an attempt
 * after a successful one, or a second attempt after a delay).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { names, PARTITIONS } from '@squadflow/shared';
import { quietPeriod, until, type ChildHandle } from '@squadflow/transport/testing';
import { deploy, type Deployment } from './support.ts';
import { faultRun, WORKLOAD_SQUADS } from '../reliability/fault-run.ts';

let d: Deployment | undefined;
afterEach(async () => {
  await d?.close();
  d = undefined;
});

/** Partition → holder (`<host>-<pid>`) of every live lease. */
async function holders(deployment: Deployment): Promise<Map<number, string>> {
  const kv = await deployment.transport.kv(names(deployment.prefix).buckets.leases);
  const now = Date.now();
  const map = new Map<number, string>();
  for (const entry of await kv.entries('lease.*')) {
    const lease = JSON.parse(new TextDecoder().decode(entry.value)) as { owner: string; until: number };
    if (lease.until > now) map.set(Number(entry.key.slice('lease.'.length)), lease.owner);
  }
  return map;
}

const pidOf = (owner: string): number => Number(owner.slice(owner.lastIndexOf('-') + 1));

describe('partitioned orchestrator replicas', () => {
  it(
    '3 replicas, one SIGKILLed mid-load: its partitions move within seconds; nothing lost, doubled or stuck; no timer twice',
    { timeout: 300_000 },
    async () => {
      d = await deploy('parts3', WORKLOAD_SQUADS, { squadEnv: { SQUAD_CONCURRENCY: '64' } });
      const deployment = d;
      const replicas: ChildHandle[] = [deployment.orchestrator, await deployment.startOrchestrator(), await deployment.startOrchestrator()];
      const live = (map: Map<number, string>) => new Set([...map.values()].map(pidOf));
      // The partitions spread over the three (6/5/5) once the joiners' shares are handed over: wait for that.
      const spread = await until(
        'the partitions to spread over 3 replicas',
        () => holders(deployment),
        // Balanced, not only held by three: a joiner's share arrives over a round or two (4/5/7 on the way to 5/5/6).
        (m) =>
          m.size === PARTITIONS &&
          live(m).size === 3 &&
          [...live(m)].every((pid) => [...m.values()].filter((o) => pidOf(o) === pid).length >= 5),
        30_000,
      );
      const victim = replicas[1]!;
      const ofVictim = [...spread].filter(([, owner]) => pidOf(owner) === victim.pid).map(([p]) => p);
      expect(ofVictim.length).toBeGreaterThanOrEqual(5);
      let movedInMs = 0;

      const report = await faultRun({
        label: 'partitioned replicas, one SIGKILLed',
        deployment,
        executions: 200,
        paceMs: 25,
        seed: 15,
        commandsObserved: true,
        settleMs: 120_000,
        faults: async () => {
          await quietPeriod(2_000); // mid-load
          victim.kill('SIGKILL');
          const killedAt = Date.now();
          expect(await victim.exited).toBeNull();
          await until(
            'the victim’s partitions to move to the survivors',
            () => holders(deployment),
            (m) => m.size === PARTITIONS && !live(m).has(victim.pid),
            30_000,
          );
          movedInMs = Date.now() - killedAt;
        },
      });
      console.log(`partitions of the killed replica (${ofVictim.join(',')}) moved in ${movedInMs} ms`);
      expect(movedInMs).toBeLessThan(12_000); // the 5 s lease ttl, a renewal round, the consumers' start
      expect(report.completed).toBe(200);

      // No timer took effect twice: a step's attempts after the first each follow one that failed or timed out.
      const ids = [...new Set(deployment.invocations().map((i) => i.executionId))];
      for (const id of ids) {
        const view = await deployment.client.getExecution(id);
        for (const step of view?.steps ?? []) {
          const attempts = step.attempts.filter((a) => !a.compensation);
          for (const earlier of attempts.slice(0, -1)) expect([id, step.name, earlier.status]).not.toEqual([id, step.name, 'completed']);
          if (step.name === 'c') expect(attempts.filter((a) => a.status === 'completed')).toHaveLength(1);
        }
      }
    },
  );
});
