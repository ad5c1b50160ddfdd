/**
 * Matrix B3: NATS unreachable for 30 s mid-load. Every service (orchestrator,
 * squads, gateway: real processes) reaches a test-owned nats-server through
 * a TCP proxy that black-holes the link for 30 s and then heals it; the test
 * process itself (the history recorder) talks to the server directly.
 *
 * Why a proxy and not SIGSTOP: a partition leaves the server running (its
 * ack waits expire, its timers go on, other clients still reach it), and a
 * black hole neither delivers nor refuses, so the services see what they see
 * on a dropped link: requests that time out, not a closed socket. Healing
 * delivers what the senders' TCP stacks held, as a real network does.
 *
 * Callers trigger through the gateway's HTTP API with an idempotency key and
 * retry each 503 after a pause, as a caller honouring Retry-After would; a
 * webhook provider delivers during the outage and redelivers after it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { quietPeriod, startNatsServer, startTcpProxy, type NatsServerProcess, type TcpProxy } from '@squadflow/transport/testing';
import { deploy, type Deployment } from '../process/support.ts';
import { assertClean, checkHistory, formatReport } from './checker.ts';
import { explainFailures, LONG, seededRandom, WORKLOAD, WORKLOAD_SHAPE, WORKLOAD_SQUADS } from './fault-run.ts';
import { postTrigger, postWebhook, startGatewayProcess, untilAccepted, type Answer, type GatewayProcess } from './gateway-process.ts';
import { HistoryRecorder } from './recorder.ts';

const SEED = Number(process.env['RELIABILITY_SEED'] ?? 33);
/** The matrix's outage. */
const OUTAGE_MS = 30_000;
/** The matrix's bound on recovery after the link is back. */
const RECOVERY_MS = 30_000;
/** A caller's pause after a 503 (the gateway's Retry-After says 5 s; a second keeps the recovery figure tight). */
const RETRY_PAUSE_MS = 1_000;
const WEBHOOK_DELIVERIES = 4;

let d: Deployment | undefined;
let gateway: GatewayProcess | undefined;
let proxy: TcpProxy | undefined;
let server: NatsServerProcess | undefined;
afterEach(async () => {
  await gateway?.child.stop();
  await d?.close();
  await proxy?.close();
  await server?.remove();
  [gateway, d, proxy, server] = [undefined, undefined, undefined, undefined];
});

/** Fields of a 503 that a caller relies on: the error envelope, its code, and when to retry. */
function expectRetryLater(a: Answer): void {
  expect(a.status).toBe(503);
  expect(a.body.error?.code).toBe('UNAVAILABLE');
  expect(a.body.error?.message).toEqual(expect.any(String));
  expect(a.retryAfter).toMatch(/^\d+$/);
}

describe('broker faults: partition', () => {
  const executions = LONG ? 1_000 : 240;

  it(
    `B3: ${executions} triggers through the gateway while NATS is unreachable for ${OUTAGE_MS / 1000} s: 503 while it is, all accepted complete once it is back`,
    { timeout: 150_000 },
    async () => {
      server = await startNatsServer();
      proxy = await startTcpProxy({ port: server.port });
      const link = proxy;
      d = await deploy('b3', WORKLOAD_SQUADS, { natsUrl: link.url, clientNatsUrl: server.url, squadEnv: { SQUAD_CONCURRENCY: '64' } });
      const dep = d;
      await dep.client.registerWorkflow(WORKLOAD);
      gateway = await startGatewayProcess(dep, WORKLOAD.name);
      const g = gateway;
      const recorder = HistoryRecorder.start(dep);

      const random = seededRandom(SEED);
      const latencies = Array.from({ length: executions }, () => Math.floor(random() * 200));
      // Triggers span the outage: 3 s before it, through it, and 5 s after.
      const paceMs = (3_000 + OUTAGE_MS + 5_000) / executions;
      const answers: Answer[] = [];
      const firstTried = new Map<string, number>();
      let cutAt = Number.POSITIVE_INFINITY;
      let healAt = Number.POSITIVE_INFINITY;

      const callers: Promise<void>[] = [];
      const triggering = (async () => {
        for (let i = 0; i < executions; i++) {
          const startedAt = Date.now();
          callers.push(
            untilAccepted(() => postTrigger(g, WORKLOAD.name, `run-${i}`, { n: i, latency: latencies[i]! }), answers, RETRY_PAUSE_MS).then(
              (a) => {
                firstTried.set(a.body.executionId!, startedAt);
                recorder.accepted(a.body.executionId!);
              },
            ),
          );
          await quietPeriod(paceMs); // the pace of the load, not a wait for a result
        }
      })();

      // The outage, with a webhook provider delivering in the middle of it.
      await quietPeriod(3_000);
      link.partition();
      cutAt = Date.now();
      await quietPeriod(5_000);
      const duringOutage = await Promise.all(
        Array.from({ length: WEBHOOK_DELIVERIES }, (_, k) => postWebhook(g, `evt-${k}`, { n: 10_000 + k, latency: 0 })),
      );
      await quietPeriod(cutAt + OUTAGE_MS - Date.now());
      link.heal();
      healAt = Date.now();

      // The provider redelivers what was refused: processed once, and a further replay is a duplicate.
      const webhookIds: string[] = [];
      for (let k = 0; k < WEBHOOK_DELIVERIES; k++) {
        const retried = await untilAccepted(() => postWebhook(g, `evt-${k}`, { n: 10_000 + k, latency: 0 }), answers, RETRY_PAUSE_MS);
        expect(retried.body.duplicate).toBe(false);
        const replay = await postWebhook(g, `evt-${k}`, { n: 10_000 + k, latency: 0 });
        expect(replay.status).toBe(202);
        expect(replay.body).toMatchObject({ duplicate: true, executionId: retried.body.executionId });
        recorder.accepted(retried.body.executionId!);
        firstTried.set(retried.body.executionId!, cutAt);
        webhookIds.push(retried.body.executionId!);
      }
      await triggering;
      await Promise.all(callers);
      const history = await recorder.finish(60_000);

      // The checker: nothing accepted is lost, stuck, or applied twice.
      const report = checkHistory(history, { shape: WORKLOAD_SHAPE, commandsObserved: false });
      console.log(`${formatReport('B3 NATS partition 30 s', report)} (seed ${SEED})`);
      await explainFailures(dep, history);
      assertClean('B3', report, executions + WEBHOOK_DELIVERIES);

      // While the link was cut: every answer to a request sent meanwhile was 503 with the envelope, none 2xx.
      for (const a of duringOutage) expectRetryLater(a);
      const cut = answers.filter((a) => a.sentAt >= cutAt && a.at <= healAt);
      expect(cut.length).toBeGreaterThan(executions / 4);
      for (const a of cut) expectRetryLater(a);
      // Before and after: only 202 and 503 (never a 500).
      expect(new Set(answers.map((a) => a.status))).toEqual(new Set([202, 503]));
      // Each delivery is one execution, whatever the provider resent.
      // Every execution of the run, page by page (a page holds 100 by default, newest first: one retried early falls off the first).
      const listed = [];
      for (let cursor: string | undefined, first = true; first || cursor; first = false) {
        const page = await dep.client.pageExecutions({ workflow: WORKLOAD.name, limit: 500, ...(cursor ? { cursor } : {}) });
        listed.push(...page.executions);
        cursor = page.nextCursor;
      }
      expect(listed).toHaveLength(executions + WEBHOOK_DELIVERIES);
      for (const [k, id] of webhookIds.entries()) {
        expect(listed.filter((e) => e.idempotencyKey === `webhook:shop:evt-${k}`).map((e) => e.executionId)).toEqual([id]);
      }

      // Recovery, measured from the heal.
      const ended = history.of('execution.ended');
      const firstAccepted = Math.min(...answers.filter((a) => a.status === 202 && a.at >= healAt).map((a) => a.at)) - healAt;
      const firstCompleted = Math.min(...ended.filter((e) => e.at >= healAt && e.status === 'completed').map((e) => e.at)) - healAt;
      const backlog = ended.filter((e) => (firstTried.get(e.executionId) ?? Infinity) < healAt);
      const allCompleted = Math.max(...backlog.map((e) => e.at)) - healAt;
      console.log(
        `B3 recovery after heal: first 202 ${firstAccepted} ms, first completed ${firstCompleted} ms, ` +
          `all ${backlog.length} triggered before the heal completed ${allCompleted} ms; ` +
          `answers while cut: ${cut.length} (all 503), answers in all: ${answers.length}`,
      );
      expect(firstCompleted).toBeLessThanOrEqual(RECOVERY_MS);
      expect(allCompleted).toBeLessThanOrEqual(RECOVERY_MS);
    },
  );
});
