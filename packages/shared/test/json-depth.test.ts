import { describe, expect, it } from 'vitest';
import { exceedsJsonDepth, exceedsJsonTextDepth, MAX_JSON_DEPTH } from '../src/index.ts';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
/** `levels` objects deep: `{"a":{"a":...1...}}`. */
const text = (levels: number): string => '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);

describe('JSON depth limit', () => {
  it('counts objects and arrays alike, on parsed values and on text, and agrees at the limit', () => {
    for (const levels of [1, MAX_JSON_DEPTH - 1, MAX_JSON_DEPTH, MAX_JSON_DEPTH + 1]) {
      const over = levels > MAX_JSON_DEPTH;
      expect(exceedsJsonTextDepth(bytes(text(levels)))).toBe(over);
      expect(exceedsJsonDepth(JSON.parse(text(levels)))).toBe(over);
    }
    expect(exceedsJsonDepth([[[1]]], 2)).toBe(true);
    expect(exceedsJsonDepth({ a: [{}] }, 3)).toBe(false);
    expect(exceedsJsonDepth('scalar', 0)).toBe(false);
    expect(exceedsJsonTextDepth(bytes('[[[1]]]'.padEnd(10)), 2)).toBe(true);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    const inString = JSON.stringify({ s: '{'.repeat(200) + '\\"[[[' + '['.repeat(200) });
    expect(exceedsJsonTextDepth(bytes(inString))).toBe(false);
    expect(exceedsJsonDepth(JSON.parse(inString))).toBe(false);
  });

  it('checks 100,000 levels without overflowing the stack', () => {
    expect(exceedsJsonTextDepth(bytes(text(100_000)))).toBe(true);
    expect(exceedsJsonDepth(JSON.parse(text(100_000)))).toBe(true);
    expect(exceedsJsonTextDepth(bytes('['.repeat(100_000) + ']'.repeat(100_000)))).toBe(true);
  });
});
