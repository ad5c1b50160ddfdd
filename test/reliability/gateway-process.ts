/**
 * The gateway as a real process beside a fault test's deployment, and the
 * HTTP calls the broker fault tests make through it: a trigger retried
 * until accepted (as a caller honouring 503 would), and signed deliveries
 * to a generic webhook route that triggers the reliability workload.
 */
import { createHmac } from 'node:crypto';
import { freePort, quietPeriod, spawnTsProcess, type ChildHandle } from '@squadflow/transport/testing';
import type { Deployment } from '../process/support.ts';

const GATEWAY = 'packages/gateway/src/bin/gateway.ts';

/** The generic webhook route the tests deliver to: each delivery triggers the workload once per `event_id`. */
export const WEBHOOK_ROUTE = 'shop';
const WEBHOOK_SECRET = 'broker-fault-webhook-secret';
const WEBHOOK_HEADER = 'X-Shop-Signature';

export interface GatewayProcess {
  child: ChildHandle;
  /** `http://127.0.0.1:<port>`. */
  base: string;
}

/** Starts `packages/gateway/src/bin/gateway.ts` with the deployment's environment (and its NATS URL). */
export async function startGatewayProcess(d: Deployment, workflow: string, env: Record<string, string> = {}): Promise<GatewayProcess> {
  const port = await freePort();
  const routes = [
    {
      name: WEBHOOK_ROUTE,
      secret: 'SHOP_WEBHOOK_SECRET',
      signature: { header: WEBHOOK_HEADER, prefix: 'sha256=' },
      action: 'trigger',
      workflow,
      context: '{ "n": n, "latency": latency }',
      idempotencyKey: 'event_id',
    },
  ];
  const child = await spawnTsProcess(
    GATEWAY,
    {
      ...d.env,
      SQUADFLOW_HOST: '127.0.0.1',
      SQUADFLOW_PORT: String(port),
      SQUADFLOW_LOG_LEVEL: 'error',
      // The load comes from one address: the per-caller limit is not under test here.
      SQUADFLOW_RATE_LIMIT: '1000000',
      SQUADFLOW_WEBHOOK_ROUTES: JSON.stringify(routes),
      SHOP_WEBHOOK_SECRET: WEBHOOK_SECRET,
      ...env,
    },
    { label: `gateway ${d.prefix}` },
  );
  return { child, base: `http://127.0.0.1:${port}` };
}

/** One HTTP answer as the caller saw it. */
export interface Answer {
  status: number;
  /** When the request was sent and when its answer arrived (epoch ms). */
  sentAt: number;
  at: number;
  retryAfter: string | null;
  body: { executionId?: string; duplicate?: boolean; error?: { code: string; message: string; details?: Record<string, unknown> } };
}

async function send(url: string, body: string, headers: Record<string, string>): Promise<Answer> {
  const sentAt = Date.now();
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
    signal: AbortSignal.timeout(60_000),
  });
  const text = await res.text();
  return { status: res.status, sentAt, at: Date.now(), retryAfter: res.headers.get('retry-after'), body: text ? JSON.parse(text) : {} };
}

/** `POST /v1/workflows/<workflow>/executions` under idempotency key `key`. */
export function postTrigger(g: GatewayProcess, workflow: string, key: string, context: Record<string, unknown>): Promise<Answer> {
  return send(`${g.base}/v1/workflows/${workflow}/executions`, JSON.stringify(context), { 'idempotency-key': key });
}

/** A signed delivery to the test's webhook route, as the provider would send (and resend) it. */
export function postWebhook(g: GatewayProcess, eventId: string, fields: Record<string, unknown>): Promise<Answer> {
  const raw = JSON.stringify({ event_id: eventId, ...fields });
  const signature = `sha256=${createHmac('sha256', WEBHOOK_SECRET).update(raw).digest('hex')}`;
  return send(`${g.base}/webhooks/${WEBHOOK_ROUTE}`, raw, { [WEBHOOK_HEADER.toLowerCase()]: signature });
}

/**
 * Sends `attempt()` until it is answered 2xx, pausing `retryPauseMs` after
 * each 503 (a caller that honours "retry later"); every answer goes to
 * `answers`. Any other status ends the loop with an error: only 2xx and 503
 * are acceptable answers from a gateway whose broker is in trouble.
 */
export async function untilAccepted(
  attempt: () => Promise<Answer>,
  answers: Answer[],
  retryPauseMs: number,
  maxTries = 120,
): Promise<Answer> {
  for (let tries = 1; ; tries++) {
    const answer = await attempt();
    answers.push(answer);
    if (answer.status >= 200 && answer.status < 300) return answer;
    if (answer.status !== 503 || tries >= maxTries) {
      throw new Error(`answered ${answer.status} (try ${tries}): ${JSON.stringify(answer.body)}`);
    }
    await quietPeriod(retryPauseMs); // the caller's back-off, not a wait for a condition
  }
}
