/**
 * The history checker shared by every fault test (reliability matrix 5.0).
 * It reads a finished run's history and reports:
 * - lost: a trigger was accepted, yet no execution of it ever started or ended;
 * - stuck: an execution that started (or was accepted) has no terminal state by the end of the run;
 * - duplicate effect: the squad's ledger shows more than one applied effect for one idempotency key;
 * - duplicate key: two different keys for one (execution, step, attempt, compensation);
 * - unexpected: an applied effect with no command published for it (only when commands were observed);
 * - duplicate terminal: more than one terminal lifecycle event for one execution;
 * - early timer: a delayed step's effect before its dependencies' effects + the delay;
 * - order: a step's effect before the effect of a step it depends on;
 * and counts completed executions, so that a run where everything failed cannot pass.
 */
import type { History } from './history.ts';

/** What the checker knows of the workflow under test: dependencies and delays per step. */
export interface WorkflowShape {
  steps: Record<string, { dependsOn?: readonly string[]; delayMs?: number }>;
}

export interface CheckOptions {
  /** Enables the order and early-timer checks. */
  shape?: WorkflowShape;
  /** Whether `command.published` was recorded completely (no broker fault): enables the unexpected check. */
  commandsObserved?: boolean;
  /** Clock tolerance for the early-timer check (processes share one machine clock; default 5 ms). */
  toleranceMs?: number;
}

export type ViolationKind =
  'lost' | 'stuck' | 'duplicateEffect' | 'duplicateKey' | 'unexpected' | 'duplicateTerminal' | 'earlyTimer' | 'order';

export interface Violation {
  kind: ViolationKind;
  executionId: string;
  detail: string;
}

export interface CheckReport {
  accepted: number;
  started: number;
  /** Terminal executions by status (`completed`, `failed`, ...). */
  ended: Record<string, number>;
  completed: number;
  effects: number;
  counts: Record<ViolationKind, number>;
  violations: Violation[];
}

const KINDS: readonly ViolationKind[] = [
  'lost',
  'stuck',
  'duplicateEffect',
  'duplicateKey',
  'unexpected',
  'duplicateTerminal',
  'earlyTimer',
  'order',
];

export function checkHistory(history: History, options: CheckOptions = {}): CheckReport {
  const violations: Violation[] = [];
  const flag = (kind: ViolationKind, executionId: string, detail: string): void => void violations.push({ kind, executionId, detail });

  const accepted = new Set(history.of('trigger.accepted').map((e) => e.executionId));
  const started = new Set(history.of('execution.started').map((e) => e.executionId));
  const endings = groupBy(history.of('execution.ended'), (e) => e.executionId);
  const ended: Record<string, number> = {};
  for (const [id, list] of endings) {
    const status = list[0]!.status;
    ended[status] = (ended[status] ?? 0) + 1;
    if (list.length > 1) flag('duplicateTerminal', id, `${list.length} terminal events: ${list.map((e) => e.status).join(', ')}`);
  }
  for (const id of accepted) {
    if (endings.has(id)) continue;
    if (started.has(id)) flag('stuck', id, 'started, no terminal state');
    else flag('lost', id, 'accepted, never started or ended');
  }
  for (const id of started)
    if (!accepted.has(id) && !endings.has(id)) flag('stuck', id, 'started (not accepted by this test), no terminal state');

  const effects = history.of('effect.applied');
  for (const [key, list] of groupBy(effects, (e) => e.key))
    if (list.length > 1)
      flag('duplicateEffect', list[0]!.executionId, `${list.length} effects for key ${key} (pids ${list.map((e) => e.pid).join(', ')})`);

  const keysOf = new Map<string, Set<string>>();
  for (const e of [...effects, ...history.of('command.published')]) {
    const id = `${e.executionId}/${e.step}/${e.attempt}${e.compensation ? '/c' : ''}`;
    const keys = keysOf.get(id) ?? new Set<string>();
    keys.add(e.key);
    keysOf.set(id, keys);
  }
  for (const [id, keys] of keysOf) if (keys.size > 1) flag('duplicateKey', id.split('/')[0]!, `${id} has keys ${[...keys].join(', ')}`);

  if (options.commandsObserved) {
    const commanded = new Set(history.of('command.published').map((c) => c.key));
    for (const e of effects) if (!commanded.has(e.key)) flag('unexpected', e.executionId, `effect for key ${e.key} without a command`);
  }

  if (options.shape) checkShape(history, options.shape, options.toleranceMs ?? 5, flag);

  const counts = Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<ViolationKind, number>;
  for (const v of violations) counts[v.kind]++;
  return {
    accepted: accepted.size,
    started: started.size,
    ended,
    completed: ended['completed'] ?? 0,
    effects: effects.length,
    counts,
    violations,
  };
}

/** Order and early-timer checks: each step's first effect against the last effect of each step it depends on. */
function checkShape(
  history: History,
  shape: WorkflowShape,
  toleranceMs: number,
  flag: (kind: ViolationKind, id: string, detail: string) => void,
): void {
  const forward = history.of('effect.applied').filter((e) => !e.compensation);
  for (const [id, list] of groupBy(forward, (e) => e.executionId)) {
    const byStep = groupBy(list, (e) => e.step);
    for (const [step, runs] of byStep) {
      const spec = shape.steps[step];
      if (!spec?.dependsOn) continue;
      const first = Math.min(...runs.map((r) => r.at));
      for (const dep of spec.dependsOn) {
        const depRuns = byStep.get(dep);
        if (!depRuns) {
          flag('order', id, `${step} ran at ${first} but ${dep}, which it depends on, never ran`);
          continue;
        }
        const depDone = Math.max(...depRuns.map((r) => r.at));
        if (first < depDone) flag('order', id, `${step} ran at ${first}, before ${dep} (last run ${depDone})`);
        else if (spec.delayMs !== undefined && first + toleranceMs < depDone + spec.delayMs)
          flag('earlyTimer', id, `${step} ran ${depDone + spec.delayMs - first} ms before its delay of ${spec.delayMs} ms after ${dep}`);
      }
    }
  }
}

/** One line per check, for the test's output: the counts the issue asks to see per test. */
export function formatReport(label: string, report: CheckReport): string {
  const ended = Object.entries(report.ended)
    .map(([status, n]) => `${status} ${n}`)
    .join(', ');
  const counts = KINDS.map((k) => `${k} ${report.counts[k]}`).join(', ');
  return `history checker [${label}]: accepted ${report.accepted}, started ${report.started}, ended {${ended}}, effects ${report.effects}; ${counts}`;
}

/**
 * Throws unless the report is clean and at least `minCompleted` executions
 * completed; the message lists the first violations of each kind.
 */
export function assertClean(label: string, report: CheckReport, minCompleted: number): void {
  const problems: string[] = [];
  if (report.completed < minCompleted) problems.push(`only ${report.completed} completed, expected at least ${minCompleted}`);
  for (const kind of KINDS) {
    const list = report.violations.filter((v) => v.kind === kind);
    if (list.length)
      problems.push(
        `${kind} ${list.length}: ${list
          .slice(0, 3)
          .map((v) => `${v.executionId}: ${v.detail}`)
          .join('; ')}`,
      );
  }
  if (problems.length) throw new Error(`${formatReport(label, report)}\n${problems.join('\n')}`);
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}
