import type { ExecutionContext } from './types.ts';

/** The statuses users see (the brief's list; `paused` arrives with pause/resume). */
export type ExecutionStatus =
  'pending' | 'running' | 'paused' | 'waiting' | 'completed' | 'failed' | 'compensated' | 'escalated' | 'cancelled';

export const TERMINAL_STATUSES: ReadonlySet<ExecutionStatus> = new Set(['completed', 'failed', 'compensated', 'cancelled']);

/** Derives the user-facing status from the machine's state value and the step records. */
export function deriveStatus(value: unknown, ctx: ExecutionContext): ExecutionStatus {
  if (typeof value === 'string') {
    if (value === 'completed' || value === 'failed' || value === 'compensated' || value === 'cancelled') return value;
  }
  if (ctx.paused) return 'paused';
  const records = Object.values(ctx.steps);
  if (records.some((r) => r.status === 'escalated')) return 'escalated';
  const active = records.filter((r) => ['evaluating', 'delayed', 'running', 'backoff', 'waiting', 'compensating'].includes(r.status));
  if (active.length && active.every((r) => r.status === 'waiting')) return 'waiting';
  return 'running';
}
