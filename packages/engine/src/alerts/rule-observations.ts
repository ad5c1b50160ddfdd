import {
  durationMs,
  type AlertRule,
  type BreakerOpenRule,
  type EscalationUnansweredRule,
  type ExecutionStatus,
  type FailureRateRule,
  type StuckRule,
} from '@squadflow/shared';
import type { ExecutionView } from '../client/execution-view.ts';
import type { IndexEntry } from '../store/execution-index.ts';
import type { AlertSources } from './alert-sources.ts';

/** An alert whose condition holds now. Alerts of a rule not observed are resolved. */
export interface AlertObservation {
  /** `<rule id>.<what it is about>`: the alert's identity (KV key, event ids). */
  alert: string;
  rule: AlertRule;
  workflow?: string;
  breaker?: string;
  value: number;
  threshold: number;
  summary: string;
  executions?: string[];
  /** Told besides the alert route: the escalation targets of an `escalation_unanswered` alert's executions. */
  recipients?: string[];
}

/** Records read per stuck or escalation rule and tick, oldest candidates first: a bound on what one look may cost. */
export const MAX_RECORD_READS = 100;
/** Executions named in one alert. */
const SAMPLE = 20;

const ENDED_OK: ReadonlySet<ExecutionStatus> = new Set(['completed']);
const ENDED_BADLY: ReadonlySet<ExecutionStatus> = new Set(['failed', 'compensated']);

/** The alerts of `rule` whose condition holds at `now`. */
export function observe(rule: AlertRule, sources: AlertSources, now: number): Promise<AlertObservation[]> {
  switch (rule.kind) {
    case 'failure_rate':
      return failureRate(rule, sources, now);
    case 'stuck':
      return stuck(rule, sources, now);
    case 'breaker_open':
      return breakerOpen(rule, sources, now);
    case 'escalation_unanswered':
      return escalationUnanswered(rule, sources, now);
  }
}

/** Per workflow: executions created within the window that ended (the newest ENDED_SAMPLE); failed or compensated share of them. */
async function failureRate(rule: FailureRateRule, sources: AlertSources, now: number): Promise<AlertObservation[]> {
  const from = now - durationMs(rule.window);
  const entries = await sources.entries({ statuses: new Set([...ENDED_OK, ...ENDED_BADLY]), ...workflowOf(rule), since: from });
  const tally = new Map<string, { ended: number; failed: string[] }>();
  for (const e of unique(entries)) {
    if (e.createdAt < from) continue;
    const t = tally.get(e.workflow) ?? { ended: 0, failed: [] };
    t.ended++;
    if (ENDED_BADLY.has(e.status)) t.failed.push(e.executionId);
    tally.set(e.workflow, t);
  }
  const out: AlertObservation[] = [];
  // Workflow names are already token-safe (NameSchema), so the index's encoded name is the name.
  for (const [workflow, t] of tally) {
    const rate = t.failed.length / t.ended;
    if (t.ended < rule.minExecutions || rate <= rule.threshold) continue;
    out.push({
      alert: `${rule.id}.${workflow}`,
      rule,
      workflow,
      value: rate,
      threshold: rule.threshold,
      summary: `${workflow}: ${t.failed.length} of ${t.ended} executions failed in the last ${String(rule.window)} (${pct(rate)} > ${pct(rule.threshold)})`,
      executions: t.failed.slice(0, SAMPLE),
    });
  }
  return out;
}

/** Candidates from the index (in a watched status, created before the limit), then their records: unchanged (or in the step) for the limit. */
async function stuck(rule: StuckRule, sources: AlertSources, now: number): Promise<AlertObservation[]> {
  const limitMs = durationMs(rule.limit);
  const statuses = new Set<ExecutionStatus>(rule.statuses);
  const isStuck = (view: ExecutionView): boolean => {
    if (!statuses.has(view.status)) return false;
    if (rule.step === undefined) return view.updatedAt <= now - limitMs;
    const step = view.steps.find((s) => s.name === rule.step);
    return !!step && (step.status === 'running' || step.status === 'waiting') && (step.startedAt ?? now) <= now - limitMs;
  };
  const found = await oldCandidates(sources, { statuses, ...workflowOf(rule) }, now - limitMs, isStuck);
  const what = rule.step === undefined ? rule.statuses.join('/') : `step ${rule.step}`;
  return perWorkflow(
    rule,
    found,
    limitMs,
    (workflow, n) => `${workflow}: ${n} execution(s) in ${what} for more than ${String(rule.limit)}`,
  );
}

/** Executions parked as `escalated` that nobody resolved (record unchanged) within the limit. */
async function escalationUnanswered(rule: EscalationUnansweredRule, sources: AlertSources, now: number): Promise<AlertObservation[]> {
  const limitMs = durationMs(rule.limit);
  const statuses = new Set<ExecutionStatus>(['escalated']);
  const found = await oldCandidates(
    sources,
    { statuses, ...workflowOf(rule) },
    now - limitMs,
    (v) => v.status === 'escalated' && v.updatedAt <= now - limitMs,
  );
  const alerts = perWorkflow(
    rule,
    found,
    limitMs,
    (workflow, n) => `${workflow}: ${n} escalation(s) unanswered for more than ${String(rule.limit)}`,
  );
  // Whoever each escalated step names as its target is told too: it is theirs to answer.
  for (const alert of alerts) {
    const targets = found
      .filter((v) => v.workflow === alert.workflow)
      .flatMap((v) => v.steps.filter((s) => s.status === 'escalated').map((s) => s.escalationTarget))
      .filter((t): t is string => t !== undefined);
    if (targets.length) alert.recipients = [...new Set(targets)].slice(0, SAMPLE);
  }
  return alerts;
}

/** One alert per breaker open (or half-open) for at least `for`. */
async function breakerOpen(rule: BreakerOpenRule, sources: AlertSources, now: number): Promise<AlertObservation[]> {
  const forMs = durationMs(rule.for);
  return (await sources.breakers())
    .filter((b) => (rule.squad === undefined || b.squad === rule.squad) && (rule.action === undefined || b.action === rule.action))
    .filter((b) => b.state !== 'closed' && (b.openedAt ?? b.updatedAt) <= now - forMs)
    .map((b) => ({
      alert: `${rule.id}.${b.squad}.${b.action}`,
      rule,
      breaker: `${b.squad}.${b.action}`,
      value: b.failures,
      threshold: forMs,
      summary: `circuit breaker ${b.squad}.${b.action} is ${b.state.replace('_', '-')} after ${b.failures} consecutive failure(s)`,
    }));
}

/** Entries created before `before` (oldest first, each execution once), confirmed on their records, at most MAX_RECORD_READS reads. */
async function oldCandidates(
  sources: AlertSources,
  filter: Parameters<AlertSources['entries']>[0],
  before: number,
  confirm: (view: ExecutionView) => boolean,
): Promise<ExecutionView[]> {
  const candidates = unique(await sources.entries(filter))
    .filter((e) => e.createdAt <= before)
    .reverse()
    .slice(0, MAX_RECORD_READS);
  const views = await Promise.all(candidates.map((e) => sources.execution(e.executionId)));
  return views.filter((v): v is ExecutionView => v !== null && confirm(v));
}

function perWorkflow(
  rule: StuckRule | EscalationUnansweredRule,
  views: ExecutionView[],
  limitMs: number,
  summary: (workflow: string, count: number) => string,
): AlertObservation[] {
  const groups = new Map<string, string[]>();
  for (const v of views) groups.set(v.workflow, [...(groups.get(v.workflow) ?? []), v.executionId]);
  return [...groups].map(([workflow, ids]) => ({
    alert: `${rule.id}.${workflow}`,
    rule,
    workflow,
    value: ids.length,
    threshold: limitMs,
    summary: summary(workflow, ids.length),
    executions: ids.slice(0, SAMPLE),
  }));
}

/** One entry per execution (a crash may leave an execution two keys for a while: the index's readers skip the stale one). */
function unique(entries: IndexEntry[]): IndexEntry[] {
  const seen = new Set<string>();
  return entries.filter((e) => !seen.has(e.executionId) && seen.add(e.executionId));
}

const workflowOf = (rule: { workflow?: string | undefined }): { workflow?: string } =>
  rule.workflow === undefined ? {} : { workflow: rule.workflow };

const pct = (x: number): string => `${Math.round(x * 1000) / 10}%`;
