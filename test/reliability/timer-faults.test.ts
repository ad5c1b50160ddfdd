/**
 * Matrix F1: executions parked on durable timers survive a SIGKILL of both
 * the orchestrator and the NATS server (test-owned) while they wait: every
 * timer fires, none early, none twice, and late by at most a few seconds
 * after the later of its due time and the restart.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { workflow } from '@squadflow/shared';
import { quietPeriod, startNatsServer, until, type NatsServerProcess } from '@squadflow/transport/testing';
import { deploy, type Deployment } from '../process/support.ts';
import { checkHistory, formatReport } from './checker.ts';
import { acceptWithRetries, explainFailures, LONG } from './fault-run.ts';
import { HistoryRecorder } from './recorder.ts';

let d: Deployment | undefined;
let server: NatsServerProcess | undefined;
afterEach(async () => {
  await d?.close();
  await server?.remove();
  d = undefined;
  server = undefined;
});

/**
 * Short form: 2,000 triggers spread over 25 s on a 30 s delay, so timers fall
 * due at ~80/s. Long form: 10,000 spread over 4 min on a 5 min delay (due
 * 5 to 9 min after their trigger, the matrix's "1-10 min"), again ~40/s:
 * parked work falls due over time, not all in the same second.
 */
const DELAY_MS = LONG ? 300_000 : 30_000;
const SPREAD_MS = LONG ? 240_000 : 25_000;

describe('timer faults', () => {
  const parked = LONG ? 10_000 : 2_000;
  it(
    `F1: ${parked} executions parked on a ${DELAY_MS / 1000} s delay survive a SIGKILL of the orchestrator and of NATS`,
    { timeout: DELAY_MS + SPREAD_MS + 240_000 },
    async () => {
      server = await startNatsServer();
      const nats = server;
      d = await deploy('f1', ['alpha'], { natsUrl: nats.url, squadEnv: { SQUAD_CONCURRENCY: '128' } });
      const deployment = d;
      await deployment.client.registerWorkflow(
        workflow('parked')
          .task('wake', { squad: 'alpha', action: 'noop', delay: `${DELAY_MS}ms` })
          .build(),
      );
      const recorder = HistoryRecorder.start(deployment);
      const batchSize = Math.ceil(parked / (SPREAD_MS / 500));
      for (let i = 0; i < parked; i += batchSize) {
        const next = quietPeriod(500); // the pace of the triggers
        const batch = Array.from({ length: Math.min(batchSize, parked - i) }, (_, j) =>
          // Retried under its key when the loaded server answers late: a trigger is never dropped or doubled.
          acceptWithRetries(deployment, 'parked', i + j, { n: i + j }),
        );
        for (const id of await Promise.all(batch)) recorder.accepted(id);
        await next;
      }
      const parkedAt = Date.now();
      // Every execution has armed its timer before the crash (the last one's step shows `delayed`).
      const last = recorder.history.of('trigger.accepted').at(-1)!.executionId;
      await until(
        'the last timer to be armed',
        () => deployment.client.getExecution(last).catch(() => null), // a read timing out under load: ask again
        (v) => v?.steps[0]?.status === 'delayed',
        60_000,
      );

      deployment.orchestrator.kill('SIGKILL');
      nats.signal('SIGKILL');
      await Promise.all([deployment.orchestrator.exited, nats.exited()]);
      await nats.restart();
      await deployment.startOrchestrator();
      const restartedAt = Date.now();
      expect(restartedAt - parkedAt).toBeLessThan(DELAY_MS); // the crash came while every timer was parked

      const history = await recorder.finish(DELAY_MS + SPREAD_MS + 60_000);
      const report = checkHistory(history, { commandsObserved: false });
      // A timer fires when the orchestrator dispatches the delayed step (its first attempt's start); the squad's
      // effect follows once the squad's consumer has resumed after the broker restart (reported, not judged here).
      const views = await Promise.all(history.of('trigger.accepted').map((e) => deployment.client.getExecution(e.executionId)));
      const effects = new Map(history.of('effect.applied').map((e) => [e.executionId, e.at]));
      const lateness: number[] = [];
      const effectLateness: number[] = [];
      let early = 0;
      for (const view of views) {
        const step = view!.steps[0]!;
        const due = step.startedAt! + DELAY_MS;
        const fired = step.attempts[0]?.startedAt;
        if (fired === undefined) continue; // never fired: the checker counts it as stuck
        if (fired < due) early++;
        lateness.push(fired - Math.max(due, restartedAt));
        effectLateness.push((effects.get(view!.executionId) ?? Infinity) - Math.max(due, restartedAt));
      }
      const p99 = percentile(lateness, 0.99);
      console.log(
        `${formatReport('F1 parked timers', report)}; timers: early ${early}, lateness p99 ${p99} ms, max ${percentile(lateness, 1)} ms; ` +
          `squad effects: lateness p50 ${percentile(effectLateness, 0.5)} ms, p99 ${percentile(effectLateness, 0.99)} ms`,
      );
      if (report.ended['completed'] !== parked) await explainFailures(deployment, history);
      expect(report.violations).toEqual([]);
      expect(report.ended).toEqual({ completed: parked });
      expect(early).toBe(0);
      expect(p99).toBeLessThanOrEqual(5_000);
    },
  );
});

/** The `q` quantile (0-1) of `values`, in ms (Infinity for none). */
function percentile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? Infinity;
}
