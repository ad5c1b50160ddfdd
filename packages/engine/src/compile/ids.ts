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

export const lifecycleId = (executionId: string, type: string, step = '', attempt = 0): string =>
  `${executionId}.${type}.${step}.${attempt}`;

/** Correlation key that resolves an escalated execution by signal. */
export const escalationKey = (executionId: string): string => `escalation_${executionId}`;
