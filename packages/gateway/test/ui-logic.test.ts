/**
 * The UI's pure logic, without a browser: reading the event stream in
 * arbitrary chunks, the colours of step statuses, suggested signal keys,
 * the executions filters in the URL and the API query, and durations.
 * test/ui/ drives the whole app in chromium.
 */
import { describe, expect, it } from 'vitest';
import { sseParser } from '../ui/src/api/sse-parser.ts';
import type { LifecycleEvent } from '../ui/src/api/types.ts';
import { fillKey } from '../ui/src/components/signal-key.ts';
import { duration } from '../ui/src/format.ts';
import { nodeState } from '../ui/src/graph/node-state.ts';
import { apiQuery, filtersFrom, pageQuery } from '../ui/src/pages/executions-query.ts';

describe('sseParser', () => {
  const STREAM =
    ': keepalive\n\n' +
    'id: 41\nevent: step.completed\ndata: {"type":"step.completed","executionId":"ex_1","step":"a"}\n\n' +
    'id: 42\r\nevent: execution.completed\r\ndata: {"executionId":"ex_1"}\r\n\r\n';

  it('yields each event with its id, whatever the chunking, and skips comments', () => {
    for (const size of [1, 3, 7, STREAM.length]) {
      const seen: Array<[LifecycleEvent, string | undefined]> = [];
      const parse = sseParser((event, id) => seen.push([event, id]));
      for (let i = 0; i < STREAM.length; i += size) parse(STREAM.slice(i, i + size));
      expect(seen, `chunks of ${size}`).toEqual([
        [{ type: 'step.completed', executionId: 'ex_1', step: 'a' }, '41'],
        // No type in the data: the `event:` line names it.
        [{ type: 'execution.completed', executionId: 'ex_1' }, '42'],
      ]);
    }
  });

  it('holds an unfinished event until its blank line, and drops data that is not JSON', () => {
    const seen: LifecycleEvent[] = [];
    const parse = sseParser((event) => seen.push(event));
    parse('event: x\ndata: not json\n\nevent: step.failed\ndata: {"step":"b"}\n');
    expect(seen).toEqual([]);
    parse('\n');
    expect(seen).toEqual([{ type: 'step.failed', step: 'b' }]);
  });
});

describe('nodeState', () => {
  it('maps every engine step status onto the seven colours, and an unreached step to pending', () => {
    const map = Object.fromEntries(
      [
        'blocked',
        'evaluating',
        'delayed',
        'running',
        'backoff',
        'waiting',
        'escalated',
        'paused',
        'completed',
        'skipped',
        'failed',
        'halted',
        'compensating',
        'compensated',
      ].map((s) => [s, nodeState(s)]),
    );
    expect(map).toEqual({
      blocked: 'pending',
      evaluating: 'pending',
      delayed: 'waiting',
      running: 'running',
      backoff: 'running',
      waiting: 'waiting',
      escalated: 'waiting',
      paused: 'waiting',
      completed: 'done',
      skipped: 'skipped',
      failed: 'failed',
      halted: 'failed',
      compensating: 'running',
      compensated: 'compensated',
    });
    expect(nodeState(undefined)).toBe('pending');
  });
});

describe('fillKey', () => {
  const execution = { executionId: 'ex_9', context: { order: { id: 'o-7' }, phone: 5511, items: [1] } };

  it('fills context fields (nested) and the execution id, and leaves what it cannot fill', () => {
    expect(fillKey('approval_{order.id}', execution)).toBe('approval_o-7');
    expect(fillKey('human_{$execution.id}_review', execution)).toBe('human_ex_9_review');
    expect(fillKey('reply_{phone}', execution)).toBe('reply_5511');
    expect(fillKey('x_{items}_{missing}', execution)).toBe('x_{items}_{missing}');
  });
});

describe('the executions filters', () => {
  it('round-trip through the page URL and become the API query with epoch times and a page size', () => {
    const search = new URLSearchParams('workflow=cart&status=running,failed&since=2026-12-07T10:00&q=ex_1&cursor=abc');
    const filters = filtersFrom(search);
    expect(filters).toEqual({
      workflow: 'cart',
      status: ['running', 'failed'],
      since: '2026-12-07T10:00',
      until: '',
      q: 'ex_1',
      cursor: 'abc',
    });
    expect(filtersFrom(new URLSearchParams(pageQuery(filters).slice(1)))).toEqual(filters);
    const api = new URLSearchParams(apiQuery(filters).slice(1));
    expect(Object.fromEntries(api)).toEqual({
      workflow: 'cart',
      status: 'running,failed',
      since: String(new Date('2026-12-07T10:00').getTime()),
      q: 'ex_1',
      cursor: 'abc',
      limit: '25',
    });
  });
});

describe('duration', () => {
  it('reads at a glance and never shows 60 of a unit', () => {
    expect([0, 999, 1_500, 12_345, 300_000, 359_600, 3_599_600, 3_600_000, 5_400_000, 90_000_000, undefined].map(duration)).toEqual([
      '0 ms',
      '999 ms',
      '1.50 s',
      '12.3 s',
      '5 min',
      '6 min',
      '1 h',
      '1 h',
      '1 h 30 min',
      '1.0 d',
      '—',
    ]);
  });
});
