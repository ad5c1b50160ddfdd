import { describe, expect, it } from 'vitest';
import { encodeToken, names, PARTITIONS, partitionOf } from '../src/index.ts';

/** NATS subject matching (`*` one token, `>` one or more at the end), as the server applies a consumer's filter. */
function matches(filter: string, subject: string): boolean {
  const f = filter.split('.');
  const s = subject.split('.');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '>') return s.length > i;
    if (i >= s.length || (f[i] !== '*' && f[i] !== s[i])) return false;
  }
  return f.length === s.length;
}

describe('partitionOf', () => {
  it('is a stable FNV-1a hash: the same id gives the same partition in every process and version', () => {
    expect([partitionOf('exec_1'), partitionOf('a'), partitionOf('')]).toEqual([8, 12, 5]);
  });

  it('spreads ids over every partition', () => {
    const counts = new Array<number>(PARTITIONS).fill(0);
    for (let i = 0; i < 16_000; i++) counts[partitionOf(`ex_${i.toString(36)}`)]!++;
    expect(Math.min(...counts)).toBeGreaterThan(800);
    expect(Math.max(...counts)).toBeLessThan(1_200);
  });
});

describe('partition filters', () => {
  const n = names('sqf');

  it("one partition's filter takes the replies, controls, heartbeats and handed-over triggers of its executions, and no other", () => {
    for (const id of ['exec_1', 'a', 'ch_0123456789abcdef', 'x-y_z']) {
      const own = partitionOf(id);
      for (const subject of [n.reply(id), n.control(id), n.heartbeat(id), n.startIn(id)]) {
        for (let p = 0; p < PARTITIONS; p++) expect(matches(n.inboundPartition(p), subject)).toBe(p === own);
        expect(matches(n.inboundEntry, subject)).toBe(false);
      }
    }
  });

  it('the entry filter takes triggers and signals (even with digit keys), which no partition filter takes', () => {
    const subjects = [n.trigger('order'), n.signal('7'), n.signal('+55 11 99999-0000'), n.signal('a.b.c'), n.signal(encodeToken('12'))];
    for (const subject of subjects) {
      expect(matches(n.inboundEntry, subject)).toBe(true);
      for (let p = 0; p < PARTITIONS; p++) expect(matches(n.inboundPartition(p), subject)).toBe(false);
    }
  });

  it('refuses a partition outside 0..PARTITIONS-1', () => {
    expect(() => n.inboundPartition(PARTITIONS)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => n.consumers.partition(-1)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
