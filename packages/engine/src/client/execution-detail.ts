/**
 * One execution as the UI's execution page shows it: the execution view
 * plus what is armed right now, read from the snapshot and the timer store.
 * Each step gets its armed timers with their due times (`nextRetryAt` while
 * it backs off, `delayUntil` while delayed, `deadline` of a wait or human
 * task, `attemptDeadline` of a running attempt, `nextEscalationAt` of a
 * human task), the execution its open waits (key, step, deadline) and, when
 * escalated, how to resolve it. One KV read per durable timer armed (a
 * handful), so this is for one execution, not for lists.
 */
import { timerCodec, type TimerKind } from '@squadflow/shared';
import type { KvStore } from '@squadflow/transport';
import { decodeContext } from '../compile/context-schema.ts';
import { escalationKey } from '../compile/ids.ts';
import type { ExecutionRecord } from '../store/execution-record.ts';
import { toView, type ExecutionView, type StepView } from './execution-view.ts';

export interface ArmedTimer {
  kind: TimerKind;
  attempt: number;
  dueAt: number;
}

/** A step with what is armed for it now. */
export interface StepDetail extends StepView {
  timers?: ArmedTimer[];
  nextRetryAt?: number;
  delayUntil?: number;
  attemptDeadline?: number;
  /** A wait's or human task's deadline (its `timeout`). */
  deadline?: number;
  nextEscalationAt?: number;
}

export interface ExecutionDetail extends Omit<ExecutionView, 'steps'> {
  steps: StepDetail[];
  /** Correlation keys the execution waits on now (wait steps, human tasks, an escalation). */
  waits: Array<{ key: string; step: string; purpose: 'wait' | 'escalation'; deadline?: number }>;
  /**
   * Set while the execution is escalated: the step, the signal key that
   * resolves it (or `POST /v1/executions/{id}/escalation`), and `target`, who
   * is asked to (the step's `escalationTarget`).
   */
  escalation?: { step: string; key: string; actions: Array<'retry' | 'skip' | 'abort'>; target?: string };
}

type DueField = 'nextRetryAt' | 'delayUntil' | 'attemptDeadline' | 'deadline' | 'nextEscalationAt';
const FIELD_OF: Partial<Record<TimerKind, DueField>> = {
  backoff: 'nextRetryAt',
  'compensation-backoff': 'nextRetryAt',
  delay: 'delayUntil',
  timeout: 'attemptDeadline',
  'compensation-timeout': 'attemptDeadline',
  wait: 'deadline',
  escalation: 'nextEscalationAt',
};

export async function executionDetail(record: ExecutionRecord, timersKv: KvStore): Promise<ExecutionDetail> {
  const view = toView(record);
  const ctx = decodeContext(record.executionId, record.snapshot);
  const armed = new Map<string, ArmedTimer[]>();
  const note = (step: string, timer: ArmedTimer) => armed.set(step, [...(armed.get(step) ?? []), timer]);
  for (const t of Object.values(ctx?.volatileTimers ?? {})) note(t.step, { kind: t.timer, attempt: t.attempt, dueAt: t.dueAt });
  const durable = (ctx?.timers ?? []).filter((id) => !ctx?.volatileTimers?.[id]);
  const stored = await Promise.all(durable.map((id) => timersKv.get(id).catch(() => null)));
  for (const entry of stored) {
    if (!entry) continue;
    try {
      const t = timerCodec.decode(entry.value);
      note(t.step, { kind: t.timer, attempt: t.attempt, dueAt: t.dueAt });
    } catch {
      // A timer entry that does not decode is shown as nothing rather than failing the page.
    }
  }
  const steps = view.steps.map((step): StepDetail => {
    const timers = armed.get(step.name);
    if (!timers?.length) return step;
    const fields: Partial<Record<DueField, number>> = {};
    for (const t of timers) {
      const field = FIELD_OF[t.kind];
      if (field) fields[field] = t.dueAt;
    }
    return { ...step, timers, ...fields };
  });
  const deadlineOf = (step: string) => armed.get(step)?.find((t) => t.kind === 'wait')?.dueAt;
  const waits = (ctx?.waits ?? []).map((w) => {
    const purpose = w.key === escalationKey(record.executionId) ? ('escalation' as const) : ('wait' as const);
    const deadline = purpose === 'wait' ? deadlineOf(w.step) : undefined;
    return { key: w.key, step: w.step, purpose, ...(deadline === undefined ? {} : { deadline }) };
  });
  const escalated = view.status === 'escalated' ? view.steps.find((s) => s.status === 'escalated') : undefined;
  return {
    ...view,
    steps,
    waits,
    ...(escalated
      ? {
          escalation: {
            step: escalated.name,
            key: escalationKey(record.executionId),
            actions: ['retry', 'skip', 'abort'],
            ...(escalated.escalationTarget === undefined ? {} : { target: escalated.escalationTarget }),
          },
        }
      : {}),
  };
}
