import { describe, expect, it } from 'vitest';
import {
  controlCodec,
  inboundCodec,
  lifecycleCodec,
  signalCodec,
  SquadflowError,
  stepCommandCodec,
  stepReplyCodec,
  timerCodec,
  triggerCodec,
  type Codec,
} from '../src/index.ts';

const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

/** Decodes and returns the `INVALID_MESSAGE` error it must throw. */
function rejection(codec: Codec<unknown>, value: unknown): SquadflowError {
  try {
    codec.decode(bytes(value));
  } catch (err) {
    expect(err).toBeInstanceOf(SquadflowError);
    expect((err as SquadflowError).code).toBe('INVALID_MESSAGE');
    return err as SquadflowError;
  }
  throw new Error('expected the message to be rejected');
}

const paths = (err: SquadflowError) => err.issues.map((i) => i.path).sort();

const trigger = { kind: 'trigger', workflow: 'order', context: { phone: '+5511' }, idempotencyKey: 'k1' };
const command = {
  id: 'e1.reserve.1',
  executionId: 'e1',
  workflow: 'order',
  step: 'reserve',
  attempt: 1,
  squad: 'inventory',
  action: 'reserve',
  input: { sku: 'A' },
  deadline: 1_700_000_000_000,
};
const reply = { kind: 'reply', commandId: 'e1.reserve.1', executionId: 'e1', step: 'reserve', attempt: 1, ok: true, output: { id: 7 } };
const signal = { kind: 'signal', signalId: 's1', key: 'ai_conversation_+55 11 99999-9999', data: { text: 'yes' } };
const cancel = { kind: 'control', controlId: 'c1', executionId: 'e1', action: 'cancel', reason: 'customer left' };
const resolve = { kind: 'control', controlId: 'c2', executionId: 'e1', action: 'retry', step: 'reserve' };
const timer = { kind: 'timer', id: 'e1.reserve.1.timeout', executionId: 'e1', step: 'reserve', attempt: 1, timer: 'timeout', dueAt: 5 };
const lifecycle = { id: 'e1.completed', type: 'execution.completed', executionId: 'e1', workflow: 'order', version: 1, at: 10 };

describe('codecs accept good messages and round-trip them', () => {
  it.each([
    ['trigger', triggerCodec, trigger],
    ['step command', stepCommandCodec, command],
    ['step reply', stepReplyCodec, reply],
    ['signal', signalCodec, signal],
    ['control (cancel)', controlCodec, cancel],
    ['control (escalation resolution)', controlCodec, resolve],
    ['timer', timerCodec, timer],
    ['lifecycle event', lifecycleCodec, lifecycle],
  ] as Array<[string, Codec<unknown>, Record<string, unknown>]>)('%s', (_label, codec, value) => {
    const decoded = codec.decode(codec.encode(codec.parse(value)));
    expect(decoded).toMatchObject(value);
  });

  it('fill in defaults: trigger context {}, command and reply compensation false, error retryable true', () => {
    expect(triggerCodec.parse({ kind: 'trigger', workflow: 'order' }).context).toEqual({});
    expect(stepCommandCodec.parse(command).compensation).toBe(false);
    const failed = stepReplyCodec.parse({ ...reply, ok: false, output: undefined, error: { message: 'out of stock' } });
    expect(failed.compensation).toBe(false);
    expect(failed.error).toEqual({ message: 'out of stock', retryable: true });
  });

  it('the inbound codec accepts every message the orchestrator consumes and keeps its kind', () => {
    for (const value of [trigger, reply, signal, cancel, resolve]) {
      expect(inboundCodec.decode(bytes(value)).kind).toBe(value.kind);
    }
  });
});

describe('codecs reject bad input with INVALID_MESSAGE naming the field', () => {
  it('rejects bytes that are not JSON', () => {
    expect(() => triggerCodec.decode(new TextEncoder().encode('{"kind":'))).toThrow(
      expect.objectContaining({ code: 'INVALID_MESSAGE', message: expect.stringContaining('not JSON') }),
    );
  });

  it('trigger: bad workflow name and a context that is not an object', () => {
    const err = rejection(triggerCodec, { ...trigger, workflow: 'order v2', context: ['x'] });
    expect(paths(err)).toEqual(['context', 'workflow']);
    expect(err.message).toContain('invalid trigger message');
  });

  it('trigger: an execution id that is not a safe token', () => {
    expect(paths(rejection(triggerCodec, { ...trigger, executionId: 'e.1' }))).toEqual(['executionId']);
  });

  it('step command: attempt 0, missing deadline', () => {
    const { deadline: _deadline, ...withoutDeadline } = command;
    expect(paths(rejection(stepCommandCodec, { ...withoutDeadline, attempt: 0 }))).toEqual(['attempt', 'deadline']);
  });

  it('step reply: missing ok and a non-boolean retryable', () => {
    const { ok: _ok, ...withoutOk } = reply;
    expect(paths(rejection(stepReplyCodec, { ...withoutOk, error: { message: 'x', retryable: 'no' } }))).toEqual(['error.retryable', 'ok']);
  });

  it('signal: empty key', () => {
    expect(paths(rejection(signalCodec, { ...signal, key: '' }))).toEqual(['key']);
  });

  it('control: unknown action', () => {
    expect(paths(rejection(controlCodec, { ...cancel, action: 'explode' }))).toEqual(['action']);
  });

  it('control: a cancel cannot carry a step, and names the unknown key', () => {
    const err = rejection(controlCodec, { ...cancel, step: 'reserve' });
    expect(err.message).toContain('"step"');
  });

  it('timer: unknown timer kind and negative dueAt', () => {
    expect(paths(rejection(timerCodec, { ...timer, timer: 'alarm', dueAt: -1 }))).toEqual(['dueAt', 'timer']);
  });

  it('lifecycle event: unknown type and version 0', () => {
    expect(paths(rejection(lifecycleCodec, { ...lifecycle, type: 'execution.exploded', version: 0 }))).toEqual(['type', 'version']);
  });

  it('inbound: names the field of the message kind at fault, not just "invalid input"', () => {
    const { ok: _ok, ...withoutOk } = reply;
    const err = rejection(inboundCodec, withoutOk);
    expect(paths(err)).toEqual(['ok']);
  });

  it('inbound: an unknown kind is reported on the kind field', () => {
    expect(paths(rejection(inboundCodec, { ...trigger, kind: 'telegram' }))).toEqual(['kind']);
  });

  it('parse() validates already-parsed values the same way', () => {
    expect(() => signalCodec.parse({ kind: 'signal', key: 'k' })).toThrow(
      expect.objectContaining({ code: 'INVALID_MESSAGE', issues: [expect.objectContaining({ path: 'signalId' })] }),
    );
  });
});
