import { AlertRuleSchema, type ExecutionStatus } from '@squadflow/shared';
import { ManualClock } from '@squadflow/transport';
import { describe, expect, it } from 'vitest';
import type { AlertSources } from '../../src/alerts/alert-sources.ts';
import { MAX_RECORD_READS, observe } from '../../src/alerts/rule-observations.ts';
import type { BreakerView } from '../../src/breakers/circuit-breakers.ts';
import type { ExecutionView } from '../../src/client/execution-view.ts';
import type { IndexEntry } from '../../src/store/execution-index.ts';

/** In-memory sources: executions as the index and the store would show them, and breakers; counts record reads. */
function sources(executions: ExecutionView[], breakers: BreakerView[] = []): AlertSources & { reads: number } {
  const src = {
    reads: 0,
    entries: async ({ statuses, workflow }: { statuses: ReadonlySet<ExecutionStatus>; workflow?: string }): Promise<IndexEntry[]> =>
      executions
        .filter((e) => statuses.has(e.status) && (workflow === undefined || e.workflow === workflow))
        .map((e) => ({ key: e.executionId, status: e.status, workflow: e.workflow, createdAt: e.createdAt, executionId: e.executionId }))
        .sort((a, b) => b.createdAt - a.createdAt),
    execution: async (id: string) => {
      src.reads++;
      return executions.find((e) => e.executionId === id) ?? null;
    },
    breakers: async () => breakers,
  };
  return src;
}

const exec = (
  id: string,
  workflow: string,
  status: ExecutionStatus,
  createdAt: number,
  updatedAt = createdAt,
  steps: ExecutionView['steps'] = [],
): ExecutionView => ({
  executionId: id,
  workflow,
  status,
  createdAt,
  updatedAt,
  context: {},
  steps,
});

const rule = (input: Record<string, unknown>) => AlertRuleSchema.parse(input);

describe('alert rules', () => {
  it('failure_rate fires only above the threshold with enough ended executions inside the window', async () => {
    const clock = new ManualClock();
    const t = clock.now();
    const r = rule({ id: 'fails', kind: 'failure_rate', window: '10m', threshold: 0.5, minExecutions: 4 });
    const list = [
      exec('a1', 'cart', 'failed', t - 60_000),
      exec('a2', 'cart', 'failed', t - 60_000),
      exec('a3', 'cart', 'completed', t - 60_000),
      exec('old', 'cart', 'failed', t - 11 * 60_000), // outside the window
      exec('b1', 'other', 'failed', t - 1000), // one failure of one: not a rate
    ];
    expect(await observe(r, sources(list), t)).toEqual([]); // 2 of 3 ended in the window: under minExecutions
    list.push(exec('a4', 'cart', 'compensated', t - 1000));
    const [alert, ...rest] = await observe(r, sources(list), t);
    expect(rest).toEqual([]);
    expect(alert).toMatchObject({ alert: 'fails.cart', workflow: 'cart', value: 0.75, threshold: 0.5, executions: ['a4', 'a1', 'a2'] });
    // Ten minutes later the same executions are out of the window.
    await clock.advance(10 * 60_000);
    expect(await observe(r, sources(list), clock.now())).toEqual([]);
  });

  it('stuck fires once an execution stayed in a watched status past the limit, per workflow', async () => {
    const clock = new ManualClock();
    const t0 = clock.now();
    const r = rule({ id: 'stuck', kind: 'stuck', statuses: ['waiting'], limit: '2s' });
    const list = [exec('w1', 'cart', 'waiting', t0), exec('r1', 'cart', 'running', t0 - 60_000)];
    expect(await observe(r, sources(list), t0 + 1999)).toEqual([]);
    const found = await observe(r, sources(list), t0 + 2000);
    expect(found).toMatchObject([{ alert: 'stuck.cart', value: 1, threshold: 2000, executions: ['w1'] }]);
    // A change of the record (e.g. a signal that moved it on) restarts the count.
    list[0] = exec('w1', 'cart', 'waiting', t0, t0 + 1500);
    expect(await observe(r, sources(list), t0 + 2000)).toEqual([]);
  });

  it('stuck with a step looks at that step only', async () => {
    const t = Date.UTC(2026, 0, 1);
    const r = rule({ id: 'slow_pay', kind: 'stuck', statuses: ['running'], step: 'pay', limit: '1m' });
    const step = (name: string, startedAt: number) => ({ name, status: 'running' as const, startedAt, attempts: [] });
    const list = [
      exec('e1', 'order', 'running', t - 120_000, t, [step('pay', t - 61_000)]),
      exec('e2', 'order', 'running', t - 120_000, t - 120_000, [step('ship', t - 120_000)]),
    ];
    expect(await observe(r, sources(list), t)).toMatchObject([{ alert: 'slow_pay.order', executions: ['e1'] }]);
  });

  it('reads at most MAX_RECORD_READS records per rule, and none for executions too young to be stuck', async () => {
    const t = Date.UTC(2026, 0, 1);
    const r = rule({ id: 'stuck', kind: 'stuck', limit: '1h' });
    const list = Array.from({ length: MAX_RECORD_READS + 50 }, (_, i) => exec(`old${i}`, 'wf', 'waiting', t - 7_200_000 - i));
    for (let i = 0; i < 500; i++) list.push(exec(`young${i}`, 'wf', 'running', t - 1000));
    const src = sources(list);
    const [alert] = await observe(r, src, t);
    expect(src.reads).toBe(MAX_RECORD_READS);
    expect(alert?.value).toBe(MAX_RECORD_READS);
  });

  it('breaker_open fires per open breaker once it stayed open for the configured time', async () => {
    const t = Date.UTC(2026, 0, 1);
    const r = rule({ id: 'breakers', kind: 'breaker_open', squad: 'whatsapp', for: '30s' });
    const open: BreakerView = {
      squad: 'whatsapp',
      action: 'send',
      state: 'open',
      failures: 5,
      openedAt: t - 30_000,
      updatedAt: t - 30_000,
    };
    const breakers: BreakerView[] = [
      open,
      { ...open, action: 'young', openedAt: t - 1000 },
      { ...open, squad: 'inventory' },
      { squad: 'whatsapp', action: 'ok', state: 'closed', failures: 0, updatedAt: t },
    ];
    expect(await observe(r, sources([], breakers), t)).toMatchObject([
      { alert: 'breakers.whatsapp.send', breaker: 'whatsapp.send', value: 5 },
    ]);
  });

  it('escalation_unanswered fires for escalated executions unchanged past the limit', async () => {
    const t = Date.UTC(2026, 0, 1);
    const r = rule({ id: 'unanswered', kind: 'escalation_unanswered', limit: '1h' });
    const list = [
      exec('x1', 'cart', 'escalated', t - 7_200_000, t - 3_600_000),
      exec('x2', 'cart', 'escalated', t - 7_200_000, t - 60_000),
    ];
    expect(await observe(r, sources(list), t)).toMatchObject([{ alert: 'unanswered.cart', value: 1, executions: ['x1'] }]);
  });

  it("escalation_unanswered names the escalated steps' targets as recipients, each once", async () => {
    const t = Date.UTC(2026, 0, 1);
    const r = rule({ id: 'unanswered', kind: 'escalation_unanswered', limit: '1h' });
    const escalated = (target?: string) => [
      { name: 'pay', status: 'escalated' as const, attempts: [], ...(target ? { escalationTarget: target } : {}) },
    ];
    const list = [
      exec('x1', 'cart', 'escalated', t - 7_200_000, t - 3_600_000, escalated('billing-lead')),
      exec('x2', 'cart', 'escalated', t - 7_200_000, t - 3_600_000, escalated('billing-lead')),
      exec('x3', 'cart', 'escalated', t - 7_200_000, t - 3_600_000, escalated('ops@example.com')),
      exec('x4', 'cart', 'escalated', t - 7_200_000, t - 3_600_000, escalated()),
    ];
    const [alert] = await observe(r, sources(list), t);
    expect(alert?.recipients?.sort()).toEqual(['billing-lead', 'ops@example.com']);
    // Without targets, no recipients: the alert route alone.
    const [plain] = await observe(r, sources([exec('y1', 'cart', 'escalated', t - 7_200_000, t - 3_600_000, escalated())]), t);
    expect(plain?.recipients).toBeUndefined();
  });
});
