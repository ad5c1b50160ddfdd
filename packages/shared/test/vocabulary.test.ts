import { describe, expect, it } from 'vitest';
import { EXECUTION_STATUSES, ExecutionStatusSchema, isTerminal, StepErrorCode, stepReplyCodec, TERMINAL_STATUSES } from '../src/index.ts';
import { StepErrorCodeSchema } from '../src/vocabulary/step-error-code.ts';

describe('execution statuses', () => {
  it('lists the nine statuses users see, once each, in the order an execution tends to go', () => {
    expect(new Set(EXECUTION_STATUSES).size).toBe(9);
    expect(EXECUTION_STATUSES.indexOf('pending')).toBe(0);
    expect(EXECUTION_STATUSES.at(-1)).toBe('cancelled');
  });

  it('takes its terminal set from the statuses', () => {
    for (const status of TERMINAL_STATUSES) expect(EXECUTION_STATUSES).toContain(status);
    expect([...TERMINAL_STATUSES]).toEqual(['completed', 'failed', 'compensated', 'cancelled']);
  });

  it('treats statuses that a signal or an operator can still move as not terminal', () => {
    expect(EXECUTION_STATUSES.filter((s) => !isTerminal(s))).toEqual(['pending', 'running', 'paused', 'waiting', 'escalated']);
  });

  it('answers isTerminal for any string, so machine state values can be checked', () => {
    expect(isTerminal('completed')).toBe(true);
    expect(isTerminal('running.step_a')).toBe(false);
    expect(isTerminal('')).toBe(false);
  });

  it('rejects an unknown status', () => {
    expect(ExecutionStatusSchema.safeParse('done').success).toBe(false);
  });
});

describe('step error codes', () => {
  it('names each code after itself', () => {
    for (const code of StepErrorCodeSchema.options) expect(StepErrorCode[code]).toBe(code);
  });

  it('keeps the wire open to a squad’s own codes', () => {
    const reply = { kind: 'reply', commandId: 'e1.a.1', executionId: 'e1', step: 'a', attempt: 1, ok: false };
    const own = stepReplyCodec.parse({ ...reply, error: { message: 'card declined', code: 'CARD_DECLINED', retryable: false } });
    expect(own.error?.code).toBe('CARD_DECLINED');
    const ours = stepReplyCodec.parse({ ...reply, error: { message: 'late', code: StepErrorCode.TIMEOUT } });
    expect(ours.error).toEqual({ message: 'late', code: 'TIMEOUT', retryable: true });
  });
});
