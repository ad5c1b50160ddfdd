import { isTerminal, type ExecutionStatus } from '@squadflow/shared';
import type { ExecutionContext } from './types.ts';

/** Derives the user-facing status from the machine's state value and the step records. */
export function deriveStatus(value: unknown, ctx: ExecutionContext): ExecutionStatus {
  // The machine's final states are named after the terminal statuses.
  if (typeof value === 'string' && isTerminal(value)) return value;
  if (ctx.paused) return 'paused';
  const records = Object.values(ctx.steps);
  if (records.some((r) => r.status === 'escalated')) return 'escalated';
  const active = records.filter((r) => ['evaluating', 'delayed', 'running', 'backoff', 'waiting', 'compensating'].includes(r.status));
  if (active.length && active.every((r) => r.status === 'waiting')) return 'waiting';
  return 'running';
}
