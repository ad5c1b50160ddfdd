import { createHash } from 'node:crypto';
import type { TimerKind } from '@squadflow/shared';

/**
 * Deterministic ids for effects. Replaying an event yields the same ids, so a
 * command or lifecycle event published twice is deduplicated (JetStream
 * `Nats-Msg-Id`, squad idempotency records) and a timer re-armed twice is one timer.
 */
export const commandId = (executionId: string, step: string, attempt: number, compensation: boolean): string =>
  `${executionId}.${step}.${attempt}${compensation ? '.c' : ''}`;

export const timerId = (executionId: string, step: string, attempt: number, kind: TimerKind): string =>
  `${executionId}.${step}.${attempt}.${kind}`;

/** `round`: the execution's rewinds so far; events after a rewind get `.r<n>`, so none repeats an id from before it. */
export const lifecycleId = (executionId: string, type: string, step = '', attempt = 0, round = 0): string =>
  `${executionId}.${type}.${step}.${attempt}${round ? `.r${round}` : ''}`;

/** Correlation key that resolves an escalated execution by signal. */
export const escalationKey = (executionId: string): string => `escalation_${executionId}`;

/**
 * Step timeouts are the most frequent timers (one per attempt, cancelled by
 * the reply moments later). They are kept only in memory and rebuilt from
 * the execution's snapshot at start; every other kind is stored in KV.
 */
export const isVolatileTimer = (kind: TimerKind | string): boolean => kind === 'timeout' || kind === 'compensation-timeout';

/** The kind at the end of a timer id (see `timerId`). */
export const timerKindOf = (id: string): string => id.slice(id.lastIndexOf('.') + 1);

/**
 * The child execution a `workflow` step starts on one attempt: the same
 * parent, step and attempt always name the same child, so a replayed or
 * redelivered start finds it instead of starting another. Hashed, so nested
 * children keep within the 128 characters of an execution id.
 */
export const childExecutionId = (parentId: string, step: string, attempt: number): string =>
  `ch_${createHash('sha256').update(`${parentId}\u0000${step}\u0000${attempt}`).digest('hex').slice(0, 32)}`;
