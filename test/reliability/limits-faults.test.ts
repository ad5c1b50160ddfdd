/**
 * Matrix B5: stream and consumer limits reached. The deployment (orchestrator,
 * squads and gateway as real processes on the shared NATS server) runs with
 * tiny limits (SQUADFLOW_INBOUND_MAX_MSGS, SQUADFLOW_COMMANDS_MAX_MSGS, a
 * squad max_ack_pending of 2) and must show back-pressure, never a silent
 * stall or a silent 202:
 *
 * - a full inbound stream refuses a trigger: the gateway answers 503
 *   UNAVAILABLE naming the limit (max_msgs), and the same trigger is
 *   accepted once the orchestrator has caught up;
 * - commands piling up at slow squads' max_ack_pending, with the commands
 *   stream at its max_msgs (the orchestrator's publishes refused and retried),
 *   keep moving as the squads acknowledge (no gap between completions of 2 × the squad's ack wait),
 *   and the backlog shows on the gateway's /metrics.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { quietPeriod } from '@squadflow/transport/testing';
import { deploy, type Deployment } from '../process/support.ts';
import { assertClean, checkHistory, formatReport } from './checker.ts';
import { acceptWithRetries, explainFailures, WORKLOAD, WORKLOAD_SHAPE, WORKLOAD_SQUADS } from './fault-run.ts';
import { postTrigger, startGatewayProcess, untilAccepted, type Answer, type GatewayProcess } from './gateway-process.ts';
import { HistoryRecorder } from './recorder.ts';

/** The squads' ack wait (packages/squads/src/runtime.ts): the matrix's bound on a stall is twice it. */
const SQUAD_ACK_WAIT_MS = 10_000;

let d: Deployment | undefined;
let gateway: GatewayProcess | undefined;
afterEach(async () => {
  await gateway?.child.stop();
  await d?.close();
  [gateway, d] = [undefined, undefined];
});

/** Deploys the workload with `limits` in every process's environment (the gateway's too). */
async function deployWithLimits(label: string, limits: Record<string, string>, squadEnv: Record<string, string> = {}) {
  d = await deploy(label, WORKLOAD_SQUADS, { orchestratorEnv: limits, squadEnv: { ...limits, ...squadEnv } });
  await d.client.registerWorkflow(WORKLOAD);
  gateway = await startGatewayProcess(d, WORKLOAD.name, limits);
  return { d, g: gateway, recorder: HistoryRecorder.start(d) };
}

/** The 503 of a full stream: the envelope, Retry-After, and the limit named in the message and the details. */
function expectStreamFull(a: Answer, limit: 'max_msgs'): void {
  expect(a.status).toBe(503);
  expect(a.retryAfter).toMatch(/^\d+$/);
  expect(a.body.error).toMatchObject({ code: 'UNAVAILABLE', details: { outcome: 'refused', reason: 'STREAM_FULL', limit } });
  expect(a.body.error?.message).toContain(limit);
}

/** Values of one Prometheus gauge by its `consumer` label. */
function gaugeByConsumer(text: string, name: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const m of text.matchAll(new RegExp(`^${name}\\{[^}]*consumer="([^"]+)"[^}]*\\} (\\S+)$`, 'gm'))) values.set(m[1]!, Number(m[2]));
  return values;
}

describe('broker faults: limits', () => {
  it(
    'B5: a full inbound stream: triggers answered 503 naming max_msgs, accepted and completed once there is room',
    { timeout: 120_000 },
    async () => {
      const MAX_MSGS = 12;
      const { d: dep, g, recorder } = await deployWithLimits('b5in', { SQUADFLOW_INBOUND_MAX_MSGS: String(MAX_MSGS) });
      const answers: Answer[] = [];
      const refused: { key: string; context: Record<string, unknown> }[] = [];

      // The orchestrator stops consuming (SIGSTOP): what the gateway publishes stays in the work queue.
      dep.orchestrator.kill('SIGSTOP');
      for (let i = 0; i < 3 * MAX_MSGS; i++) {
        const key = `full-${i}`;
        const context = { n: i, latency: 0 };
        const a = await postTrigger(g, WORKLOAD.name, key, context);
        answers.push(a);
        if (a.status === 202) recorder.accepted(a.body.executionId!);
        else refused.push({ key, context });
      }
      const accepted = answers.filter((a) => a.status === 202).length;
      // Nothing silently accepted beyond the limit: the rest were refused, each with the limit named.
      expect(accepted).toBeLessThanOrEqual(MAX_MSGS);
      expect(accepted).toBeGreaterThan(0);
      for (const a of answers.filter((x) => x.status !== 202)) expectStreamFull(a, 'max_msgs');
      const firstRefusal = answers.find((a) => a.status !== 202)!;

      // The orchestrator catches up; callers retry what was refused (as after Retry-After).
      dep.orchestrator.kill('SIGCONT');
      for (const { key, context } of refused) {
        const a = await untilAccepted(() => postTrigger(g, WORKLOAD.name, key, context), answers, 500);
        recorder.accepted(a.body.executionId!);
      }

      const history = await recorder.finish(60_000);
      const report = checkHistory(history, { shape: WORKLOAD_SHAPE, commandsObserved: true });
      console.log(formatReport('B5 inbound stream full', report));
      console.log(
        `B5 inbound max_msgs ${MAX_MSGS}: ${accepted} of ${3 * MAX_MSGS} triggers accepted while the orchestrator was stopped, ` +
          `${refused.length} refused with 503 ("${firstRefusal.body.error?.message}"); all ${3 * MAX_MSGS} accepted on retry and completed`,
      );
      await explainFailures(dep, history);
      assertClean('B5 inbound', report, 3 * MAX_MSGS);
      // Only 202 and 503, never a 500.
      expect(new Set(answers.map((a) => a.status))).toEqual(new Set([202, 503]));
    },
  );

  it(
    "B5: commands piling up at slow squads' max_ack_pending and a full commands stream keep moving, show on /metrics, and all complete",
    { timeout: 120_000 },
    async () => {
      const executions = 48;
      const COMMANDS_MAX_MSGS = 8;
      const {
        d: dep,
        g,
        recorder,
      } = await deployWithLimits(
        'b5ack',
        { SQUADFLOW_COMMANDS_MAX_MSGS: String(COMMANDS_MAX_MSGS) },
        { SQUAD_CONCURRENCY: '2' }, // the squads' max_ack_pending
      );
      // Scrape /metrics while the load runs, as Prometheus would.
      const peaks = new Map<string, { ratio: number; pending: number; held: number }>();
      let scraping = true;
      const scraper = (async () => {
        while (scraping) {
          const text = await (await fetch(`${g.base}/metrics`)).text();
          const ratio = gaugeByConsumer(text, 'squadflow_consumer_ack_pending_ratio');
          const pending = gaugeByConsumer(text, 'squadflow_consumer_pending');
          const ackPending = gaugeByConsumer(text, 'squadflow_consumer_ack_pending');
          for (const [consumer, r] of ratio) {
            const peak = peaks.get(consumer) ?? { ratio: 0, pending: 0, held: 0 };
            const waiting = pending.get(consumer) ?? 0;
            // Held by the stream for this consumer at one instant: waiting plus delivered-unacknowledged, from the same scrape.
            const held = waiting + (ackPending.get(consumer) ?? 0);
            peaks.set(consumer, {
              ratio: Math.max(peak.ratio, r),
              pending: Math.max(peak.pending, waiting),
              held: Math.max(peak.held, held),
            });
          }
          await quietPeriod(250); // the scrape interval
        }
      })();
      const ids = await Promise.all(
        Array.from({ length: executions }, (_, i) => acceptWithRetries(dep, WORKLOAD.name, i, { n: i, latency: 100 + (i % 5) * 25 })),
      );
      for (const id of ids) recorder.accepted(id);
      const history = await recorder.finish(90_000);
      scraping = false;
      await scraper;

      const report = checkHistory(history, { shape: WORKLOAD_SHAPE, commandsObserved: true });
      console.log(formatReport('B5 max_ack_pending', report));
      await explainFailures(dep, history);
      assertClean('B5 max_ack_pending', report, executions);

      // Progress, not a stall: completions never pause for 2 × the ack wait.
      const ends = history
        .of('execution.ended')
        .map((e) => e.at)
        .sort((a, b) => a - b);
      const starts = history.of('trigger.accepted').map((e) => e.at);
      const gaps = ends.map((at, i) => at - (i === 0 ? Math.min(...starts) : ends[i - 1]!));
      const longestGap = Math.max(...gaps);
      const squadConsumers = [...peaks].filter(([consumer]) => WORKLOAD_SQUADS.some((s) => consumer.includes(s)));
      console.log(
        `B5 max_ack_pending 2: ${executions} executions in ${ends.at(-1)! - Math.min(...starts)} ms, longest pause between completions ${longestGap} ms; ` +
          `peaks on /metrics: ${squadConsumers.map(([c, p]) => `${c} ratio ${p.ratio} pending ${p.pending} held ${p.held}`).join(', ')}`,
      );
      expect(longestGap).toBeLessThan(2 * SQUAD_ACK_WAIT_MS);
      // The backlog surfaced: each squad's consumer sat at its max_ack_pending (the alert's ≥ 0.9) with work waiting behind it.
      expect(squadConsumers).toHaveLength(WORKLOAD_SQUADS.length);
      for (const [, peak] of squadConsumers) {
        expect(peak.ratio).toBeGreaterThanOrEqual(0.9);
        expect(peak.pending).toBeGreaterThan(0);
        // The commands stream never held more than its limit: the orchestrator's refused publishes waited.
        // (Waiting and in-flight are summed per scrape: the peak of one need not coincide with the other's.)
        expect(peak.held).toBeLessThanOrEqual(COMMANDS_MAX_MSGS);
      }
    },
  );
});
