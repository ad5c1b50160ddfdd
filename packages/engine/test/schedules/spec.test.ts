import { describe, expect, it } from 'vitest';
import { SquadflowError } from '@squadflow/shared';
import { normalizeSpec } from '../../src/schedules/spec.ts';
import { firstSlot, latestDue, slotAfter } from '../../src/schedules/timing.ts';
import { HOUR, T0 } from './support.ts';

function issuesOf(spec: unknown): string[] {
  try {
    normalizeSpec(spec);
  } catch (err) {
    expect(err).toBeInstanceOf(SquadflowError);
    expect((err as SquadflowError).code).toBe('INVALID_ARGUMENT');
    return (err as SquadflowError).issues.map((i) => i.path);
  }
  throw new Error('expected the spec to be rejected');
}

describe('schedule specs', () => {
  it('apply defaults: UTC, overlap skip, catch-up latest, empty context', () => {
    expect(normalizeSpec({ workflow: 'w', every: '1h' })).toEqual({
      workflow: 'w',
      every: '1h',
      context: {},
      timezone: 'UTC',
      overlap: 'skip',
      catchUp: 'latest',
    });
  });

  it('reject a bad cron expression on the cron field', () => {
    expect(issuesOf({ workflow: 'w', cron: '61 * * * *' })).toEqual(['cron']);
    expect(issuesOf({ workflow: 'w', cron: 'every day' })).toEqual(['cron']);
  });

  it('reject a cron expression that never matches a date', () => {
    expect(issuesOf({ workflow: 'w', cron: '0 0 30 2 *' })).toEqual(['cron']);
  });

  it('reject an unknown time zone on the timezone field', () => {
    expect(issuesOf({ workflow: 'w', cron: '0 9 * * *', timezone: 'Mars/Olympus_Mons' })).toEqual(['timezone']);
  });

  it('require exactly one of cron, every and at', () => {
    expect(issuesOf({ workflow: 'w' })).toEqual(['cron']);
    expect(issuesOf({ workflow: 'w', cron: '0 9 * * *', every: '1h' })).toEqual(['every']);
    expect(issuesOf({ workflow: 'w', every: '1h', at: T0 })).toEqual(['at']);
  });

  it('reject bad intervals, ids, policies and one-shot times, naming each field', () => {
    expect(issuesOf({ workflow: 'w', every: '10ms' })).toEqual(['every']);
    expect(issuesOf({ workflow: 'w', every: 'hourly' })).toEqual(['every']);
    expect(issuesOf({ id: 'has space', workflow: 'w', every: '1h' })).toEqual(['id']);
    expect(issuesOf({ workflow: 'w', every: '1h', overlap: 'maybe' })).toEqual(['overlap']);
    expect(issuesOf({ workflow: 'w', at: '0 9 * * *' })).toEqual(['at']);
  });

  it('read an ISO one-shot without an offset in the time zone, and one with an offset as given', () => {
    expect(normalizeSpec({ workflow: 'w', at: '2026-03-01T09:00:00', timezone: 'America/Sao_Paulo' }).at).toBe(Date.UTC(2026, 2, 1, 12));
    expect(normalizeSpec({ workflow: 'w', at: '2026-03-01T09:00:00+01:00', timezone: 'America/Sao_Paulo' }).at).toBe(
      Date.UTC(2026, 2, 1, 8),
    );
  });
});

describe('slots', () => {
  const saoPaulo = { cron: '0 9 * * *', timezone: 'America/Sao_Paulo' };

  it('of a cron in a time zone fall at its local time (09:00 in São Paulo is 12:00 UTC)', () => {
    expect(slotAfter(saoPaulo, T0)).toBe(T0 + 12 * HOUR);
    expect(slotAfter(saoPaulo, T0 + 12 * HOUR)).toBe(T0 + 36 * HOUR);
  });

  it('of a cron follow daylight saving time (09:00 in New York is 14:00 UTC in winter, 13:00 in summer)', () => {
    const ny = { cron: '0 9 * * *', timezone: 'America/New_York' };
    expect(slotAfter(ny, Date.UTC(2026, 2, 7))).toBe(Date.UTC(2026, 2, 7, 14));
    expect(slotAfter(ny, Date.UTC(2026, 2, 9))).toBe(Date.UTC(2026, 2, 9, 13));
  });

  it('of an interval are aligned to the epoch, so every replica computes the same ones', () => {
    expect(slotAfter({ timezone: 'UTC', every: '1h' }, T0 + 1)).toBe(T0 + HOUR);
    expect(slotAfter({ timezone: 'UTC', every: '1h' }, T0 + HOUR)).toBe(T0 + 2 * HOUR);
  });

  it('of a one-shot: its time, even when past, and nothing after it', () => {
    expect(firstSlot({ timezone: 'UTC', at: T0 - HOUR }, T0)).toBe(T0 - HOUR);
    expect(slotAfter({ timezone: 'UTC', at: T0 }, T0)).toBeUndefined();
  });

  it('due after a long gap: the latest one at or before now', () => {
    expect(latestDue({ timezone: 'UTC', every: '1h' }, T0 + HOUR, T0 + 5.5 * HOUR)).toBe(T0 + 5 * HOUR);
    expect(latestDue(saoPaulo, T0 + 12 * HOUR, T0 + 3 * 24 * HOUR)).toBe(T0 + 60 * HOUR);
    expect(latestDue(saoPaulo, T0 + 12 * HOUR, T0 + 12 * HOUR)).toBe(T0 + 12 * HOUR);
  });
});
