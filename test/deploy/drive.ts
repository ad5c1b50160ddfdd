/**
 * The drive both deployment proofs run (as processes, and with a Docker
 * engine where there is one): seed workflows registered by the
 * orchestrators at boot, a few `abandoned_cart_recovery` executions
 * triggered through the gateway with a bearer token, one orchestrator
 * replica SIGKILLed while each of them waits on a durable timer, and every
 * execution checked to complete exactly once: one terminal event each (the
 * reliability history checker), every step completed, one WhatsApp reminder
 * per cart in the outbox.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EngineClient } from '@squadflow/engine';
import { lifecycleCodec, names, type LifecycleEvent } from '@squadflow/shared';
import { listWhatsAppOutbox } from '@squadflow/squads/catalog';
import { connectNatsTransport } from '@squadflow/transport';
import { expect } from 'vitest';
import { parseDocument } from 'yaml';
import { assertClean, checkHistory, formatReport, type CheckReport } from '../reliability/checker.ts';
import { HistoryRecorder } from '../reliability/recorder.ts';

export interface DriveTarget {
  gatewayUrl: string;
  /** A bearer token with read, trigger and admin scopes. */
  token: string;
  /** NATS as the `operator` user: the test's observer (history, lifecycle events, the outbox). */
  operatorNatsUrl: string;
  prefix: string;
  /** The workflows the image ships (names of workflows/*.yaml). */
  seedWorkflows: string[];
  /** Delays of abandoned_cart_recovery as registered: no step may start before its delay is over. */
  delaysMs: { reminder: number; audience: number };
  /** SIGKILLs one orchestrator replica and resolves once the deployment's restart policy has it running again. */
  killOrchestratorReplica(): Promise<void>;
}

export interface DriveResult {
  executionIds: string[];
  report: CheckReport;
}

const WORKFLOW = 'abandoned_cart_recovery';

/** abandoned_cart_recovery's delays in the deployment under test (the seed's: 5 min and 1 h). */
export const SHORT_DELAYS_MS = { reminder: 2_000, audience: 1_000 };

/** Rewrites a copy of abandoned_cart_recovery.yaml with {@link SHORT_DELAYS_MS}; everything else stays as generated. */
export function shortenDelays(file: string): void {
  const delays: Record<string, string> = {
    send_whatsapp_reminder: `${SHORT_DELAYS_MS.reminder}ms`,
    create_google_ads_audience: `${SHORT_DELAYS_MS.audience}ms`,
  };
  const doc = parseDocument(readFileSync(file, 'utf8'));
  const steps = doc.get('steps') as { items: Array<{ get(k: string): unknown; set(k: string, v: unknown): void }> };
  for (const step of steps.items) {
    const delay = delays[String(step.get('name'))];
    if (delay) step.set('delay', delay);
  }
  writeFileSync(file, doc.toString());
}

/** The names of the workflows defined in a folder of YAML files. */
export function seedWorkflowNames(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => String(parseDocument(readFileSync(join(dir, f), 'utf8')).get('name')));
}
const STEPS = ['check_inventory', 'send_whatsapp_reminder', 'create_google_ads_audience', 'launch_retargeting_campaign'];

export async function driveAbandonedCarts(target: DriveTarget, executions = 6): Promise<DriveResult> {
  const auth = { authorization: `Bearer ${target.token}` };
  const api = async (path: string, init: RequestInit = {}): Promise<Response> =>
    fetch(`${target.gatewayUrl}${path}`, { ...init, headers: { ...auth, 'content-type': 'application/json', ...init.headers } });

  // Registered by the orchestrators from SQUADFLOW_WORKFLOWS, nothing else: every seed workflow is there.
  expect((await fetch(`${target.gatewayUrl}/v1/workflows`)).status, 'no token, no answer').toBe(401);
  const listed = (await (await api('/v1/workflows')).json()) as { workflows: Array<{ name: string }> };
  const registered = listed.workflows.map((w) => w.name).sort();
  expect(registered).toEqual([...target.seedWorkflows].sort());

  const transport = await connectNatsTransport({ servers: target.operatorNatsUrl, name: 'deploy-drive' });
  const client = await EngineClient.connect({ transport, prefix: target.prefix });
  const recorder = HistoryRecorder.start({ prefix: target.prefix, transport, client, invocations: () => [] });
  const events: LifecycleEvent[] = [];
  const waiters: Array<() => void> = [];
  const lifecycle = transport.bus.subscribe(names(target.prefix).lifecycleFilter({ workflow: WORKFLOW }), (_subject, data) => {
    events.push(lifecycleCodec.decode(data));
    for (const w of waiters.splice(0)) w();
  });
  /**
   * Resolves once `count` executions have had a matching event (lifecycle events are published as they
   * happen: awaited, not polled). Counted per execution: a replica re-performing an effect publishes again.
   */
  const eventsMatching = async (what: string, match: (e: LifecycleEvent) => boolean, count: number, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    const seen = () => new Set(events.filter(match).map((e) => e.executionId)).size;
    while (seen() < count) {
      if (Date.now() > deadline) throw new Error(`${what}: ${seen()} of ${count} executions within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, deadline - Date.now()).unref();
      });
    }
  };

  try {
    const ids: string[] = [];
    for (let i = 0; i < executions; i++) {
      const response = await api(`/v1/workflows/${WORKFLOW}/executions`, {
        method: 'POST',
        body: JSON.stringify({
          customer_phone: `+55119990000${String(i).padStart(2, '0')}`,
          customer_name: `Cliente ${i}`,
          abandoned_items: [{ id: 'prod_1', name: 'Produto 1', price: 100 }],
          cart_value: 100,
        }),
      });
      const body = (await response.json()) as { executionId: string };
      expect(response.status, JSON.stringify(body)).toBe(202);
      recorder.accepted(body.executionId);
      ids.push(body.executionId);
    }
    const mine = (e: LifecycleEvent) => ids.includes(e.executionId);

    // Every execution now waits on its reminder's durable timer, armed by whichever replica handled its stock check.
    await eventsMatching('stock checks', (e) => mine(e) && e.type === 'step.completed' && e.step === STEPS[0], executions, 30_000);
    await target.killOrchestratorReplica();

    try {
      await eventsMatching(
        'completions',
        (e) => mine(e) && e.type.startsWith('execution.') && e.type !== 'execution.started',
        executions,
        60_000,
      );
    } catch (err) {
      // Say where each unfinished execution stands.
      const open = await Promise.all(ids.map((id) => client.getExecution(id)));
      const where = open
        .filter((v) => v && v.status !== 'completed')
        .map((v) => `${v!.executionId} ${v!.status}: ${v!.steps.map((s) => `${s.name}=${s.status}`).join(' ')}`);
      throw new Error(`${(err as Error).message}\n${where.join('\n')}`, { cause: err });
    }
    // One terminal event per execution, none lost or stuck (the seed squads keep no per-key ledger: their effects are checked below).
    const report = checkHistory(await recorder.finish(10_000));
    process.stdout.write(`${formatReport('deployment drive', report)}\n`);
    assertClean('deployment drive', report, executions);
    for (const id of ids) {
      const view = (await (await api(`/v1/executions/${id}`)).json()) as {
        status: string;
        steps: Array<{ name: string; status: string; endedAt?: number; attempts: Array<{ startedAt: number }> }>;
        context: { customer_phone: string };
      };
      expect([id, view.status]).toEqual([id, 'completed']);
      expect(view.steps.map((s) => [s.name, s.status])).toEqual(STEPS.map((s) => [s, 'completed']));
      // The timers the kill may have interrupted fired late at worst, never early.
      const [stock, reminder, audience] = view.steps;
      expect(reminder!.attempts[0]!.startedAt - stock!.endedAt!).toBeGreaterThanOrEqual(target.delaysMs.reminder);
      expect(audience!.attempts[0]!.startedAt - reminder!.endedAt!).toBeGreaterThanOrEqual(target.delaysMs.audience);
      // The reminder's effect happened once, whatever was redelivered.
      const outbox = await listWhatsAppOutbox(transport, target.prefix, { phone: view.context.customer_phone });
      expect(
        outbox.map((m) => m.purpose),
        `one reminder for ${id}`,
      ).toEqual(['abandoned_cart']);
    }
    return { executionIds: ids, report };
  } finally {
    lifecycle.unsubscribe();
    await transport.close();
  }
}
