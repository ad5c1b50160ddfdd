import { afterEach, describe, expect, it } from 'vitest';
import { armFailpoint, disarmFailpoints, failpoint, FailpointError } from '../src/index.ts';
import { parseFailpoints } from '../src/failpoints.ts';

afterEach(() => disarmFailpoints());

describe('failpoints', () => {
  it('do nothing unarmed, and fire an armed point only when its detail contains the match', () => {
    expect(() => failpoint('orchestrator.apply', 'ex_1 reply.charge')).not.toThrow();
    armFailpoint('orchestrator.apply', { action: 'throw', match: 'reply.explode' });
    expect(() => failpoint('orchestrator.apply', 'ex_1 reply.charge')).not.toThrow();
    expect(() => failpoint('other.point', 'ex_1 reply.explode')).not.toThrow();
    expect(() => failpoint('orchestrator.apply', 'ex_2 reply.explode')).toThrow(FailpointError);
    disarmFailpoints();
    expect(() => failpoint('orchestrator.apply', 'ex_2 reply.explode')).not.toThrow();
  });

  it('parse SQUADFLOW_FAILPOINTS entries and reject a mistyped one, naming it', () => {
    expect([...parseFailpoints('orchestrator.apply=kill@reply.explode; a.b=throw;')]).toEqual([
      ['orchestrator.apply', { action: 'kill', match: 'reply.explode' }],
      ['a.b', { action: 'throw' }],
    ]);
    expect(() => parseFailpoints('orchestrator.apply=explode')).toThrow(/orchestrator.apply=explode/);
  });
});
