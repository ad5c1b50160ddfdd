import { describe, expect, it } from 'vitest';
import { DurationSchema, durationMs, parseDuration } from '../src/index.ts';

describe('parseDuration', () => {
  it.each([
    [0, 0],
    [1_500, 1_500],
    [1.6, 2],
    ['500ms', 500],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['2d', 172_800_000],
    ['1h30m', 5_400_000],
    ['1m30s250ms', 90_250],
    ['1.5h', 5_400_000],
    [' 5m ', 300_000],
  ] as const)('reads %j as %d ms', (input, expected) => {
    expect(parseDuration(input)).toBe(expected);
  });

  it.each([
    ['PT2H', 7_200_000],
    ['PT30M', 1_800_000],
    ['PT1.5S', 1_500],
    ['P1D', 86_400_000],
    ['P1DT2H', 93_600_000],
    ['PT1H30M15S', 5_415_000],
  ] as const)('reads ISO 8601 %s as %d ms', (input, expected) => {
    expect(parseDuration(input)).toBe(expected);
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY, '', 'P', 'PT', '5', '5 m', '1h 30m', 'abc', '10M', '-5s', 'PT-1H', '5 minutes'])(
    'rejects %j',
    (input) => {
      expect(parseDuration(input)).toBeUndefined();
    },
  );
});

describe('durationMs', () => {
  it('returns milliseconds for a valid duration', () => {
    expect(durationMs('2m')).toBe(120_000);
  });

  it('throws a RangeError naming the bad value', () => {
    expect(() => durationMs('soon')).toThrow(RangeError);
    expect(() => durationMs('soon')).toThrow(/soon/);
  });
});

describe('DurationSchema', () => {
  it('accepts numbers and duration strings unchanged', () => {
    expect(DurationSchema.parse(250)).toBe(250);
    expect(DurationSchema.parse('PT2H')).toBe('PT2H');
  });

  it('rejects a malformed duration with a message listing the accepted forms', () => {
    const result = DurationSchema.safeParse('5 minutes');
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/expected a duration/);
  });

  it('rejects values that are neither numbers nor strings', () => {
    expect(DurationSchema.safeParse(true).success).toBe(false);
    expect(DurationSchema.safeParse({ ms: 5 }).success).toBe(false);
  });
});
