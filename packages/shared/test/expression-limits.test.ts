import { describe, expect, it } from 'vitest';
import {
  compileExpression,
  evaluateCondition,
  EXPRESSION_LIMITS,
  SquadflowError,
  validateDefinition,
  type ExpressionScope,
} from '../src/index.ts';

/**
 * Issue 11, "One expression kills the orchestrator": every hostile
 * expression fails fast with a typed error, inside the limits of
 * docs/definitions.md, instead of hanging or aborting the process. Bounds on
 * elapsed time are generous (they only fail if the guard is missing: the
 * unguarded cases run for minutes or abort the process).
 */

const scopeWith = (context: Record<string, unknown>): ExpressionScope => ({
  context,
  steps: {},
  execution: { id: 'exec_1', workflow: 'w' },
});
const evaluate = (source: string, context: Record<string, unknown> = {}) => compileExpression(source).evaluate(scopeWith(context));

/** Runs `run` and returns how long it took; the promise it returns must settle. */
async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = Date.now();
  await run().catch(() => undefined);
  return Date.now() - started;
}

const limitHit = (message: RegExp) => ({ code: 'EXPRESSION_LIMIT', message: expect.stringMatching(message) });

describe('the issue’s hostile expressions', () => {
  it('$pad to 200 million characters fails before it allocates (it used to abort the process)', async () => {
    const source = '$length($pad("x", width)) > 0';
    const elapsed = await timed(() => evaluate(source, { width: 200_000_000 }));
    await expect(evaluate(source, { width: 200_000_000 })).rejects.toMatchObject(limitHit(/\$pad result would be 200000000 characters/));
    expect(elapsed).toBeLessThan(5_000);
  });

  it('rejects the constant $pad at compile time, so such a definition is never registered', () => {
    expect(() => compileExpression('$length($pad("x", 200000000)) > 0')).toThrow(
      expect.objectContaining({ code: 'INVALID_EXPRESSION', message: expect.stringMatching(/position \d+.*over the limit of 1048576/) }),
    );
  });

  it('runs the catastrophic regex /^(a+)+$/ over 36 a’s and a "!" in linear time (it used to spin at 100% CPU)', async () => {
    const text = `${'a'.repeat(36)}!`;
    const started = Date.now();
    expect(await evaluateCondition('$contains(s, /^(a+)+$/)', scopeWith({ s: text }))).toBe(false);
    expect(await evaluateCondition('$contains(s, /^(a+)+$/)', scopeWith({ s: 'a'.repeat(36) }))).toBe(true);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('caps a range at run time far below JSONata’s 10 million items', async () => {
    await expect(evaluate('$count([1..n])', { n: 10_000_000 })).rejects.toMatchObject(
      limitHit(/range \[1\.\.10000000\] has 10000000 items, over the limit of 100000/),
    );
    expect(await evaluate('$count([1..n])', { n: EXPRESSION_LIMITS.rangeItems })).toBe(EXPRESSION_LIMITS.rangeItems);
  });

  it('rejects a constant range over the cap at compile time', () => {
    expect(() => compileExpression('$sum([1..10000000])')).toThrow(
      expect.objectContaining({ code: 'INVALID_EXPRESSION', message: expect.stringMatching(/range \[1\.\.10000000\]/) }),
    );
  });

  it('stops string-doubling recursion at the string limit, long before memory runs out', async () => {
    const elapsed = await timed(() => evaluate('($f := function($s) { $f($s & $s) }; $f("x"))'));
    await expect(evaluate('($f := function($s) { $f($s & $s) }; $f("x"))')).rejects.toMatchObject(limitHit(/2097152 characters/));
    expect(elapsed).toBeLessThan(5_000);
  });

  it('stops a deep non-tail recursion at the depth limit', async () => {
    await expect(evaluate('($f := function($n) { $n + $f($n + 1) }; $f(0))')).rejects.toMatchObject(limitHit(/Stack overflow/i));
  });
});

describe('$eval gets the same guards', () => {
  it.each([
    ['$pad', '$eval("$pad(\\"x\\", 200000000)")', /\$pad result/],
    ['a range', '$eval("[1..10000000]")', /over the limit of 100000/],
    ['string doubling', '$eval("($f := function($s) { $f($s & $s) }; $f(\\"x\\"))")', /characters long/],
  ])('%s inside $eval fails with EXPRESSION_LIMIT', async (_name, source, message) => {
    await expect(evaluate(source)).rejects.toMatchObject(limitHit(message));
  });

  it('runs regexes in $eval on RE2, and rejects a backreference there too', async () => {
    expect(await evaluate('$eval("$contains(s, /^(a+)+$/)")', { s: `${'a'.repeat(36)}!` })).toBe(false);
    await expect(evaluate('$eval("$contains(\\"aa\\", /(a)\\\\1/)")')).rejects.toMatchObject({
      code: 'INVALID_EXPRESSION',
      message: expect.stringContaining('backreference'),
    });
  });

  it('cannot reach JavaScript through a built-in: its implementation is not data', async () => {
    expect(await evaluate('$string.implementation')).toBeUndefined();
    expect(await evaluate('$pad.implementation.prototype.constructor')).toBeUndefined();
    expect(await evaluate('$eval("$lookup($string, \\"implementation\\")")')).toBeUndefined();
    await expect(evaluate('$eval.implementation("1 + 1")')).rejects.toBeInstanceOf(SquadflowError);
    await expect(evaluate('$eval("$string.constructor(\\"return process\\")()")')).rejects.toBeInstanceOf(SquadflowError);
  });
});

describe('regular expressions use RE2', () => {
  it.each([
    ['a backreference', '$contains(s, /(a)\\1/)', /backreference \\1/],
    ['a named backreference', '$contains(s, /(?<x>a)\\k<x>/)', /named backreference/],
    ['a lookahead', '$contains(s, /a(?=b)/)', /lookaround \(\?=/],
    ['a negative lookbehind', '$contains(s, /(?<!a)b/)', /lookaround \(\?<!/],
  ])('rejects %s at compile time with INVALID_EXPRESSION naming the pattern and position', (_name, source, reason) => {
    expect(() => compileExpression(source)).toThrow(
      expect.objectContaining({ code: 'INVALID_EXPRESSION', message: expect.stringMatching(/position \d+: regular expression \//) }),
    );
    expect(() => compileExpression(source)).toThrow(reason);
  });

  it('rejects a regex whose program is over the size limit', () => {
    // Counted repetitions expand: this one is 1,683 instructions, and a search costs each of them per character.
    expect(() => compileExpression('$contains(s, /(?:a.{0,20}){0,40}!/)')).toThrow(/1683 instructions, over the limit of 1000/);
  });

  it('refuses a search whose text times program size is over the limit, instead of running for seconds', async () => {
    const pattern = Array.from({ length: 40 }, (_, i) => `w${i}x?y`).join('|');
    await expect(evaluate(`$contains(s, /${pattern}/)`, { s: 'a'.repeat(1_000_000) })).rejects.toMatchObject(
      limitHit(/characters × instructions/),
    );
    expect(await evaluate(`$contains(s, /${pattern}/)`, { s: 'aaw7yb' })).toBe(true);
  });

  it('gives JSONata’s results for matches, groups, flags, replace and split', async () => {
    expect(await evaluate('$match("abc abd", /ab(c|d)/)')).toEqual([
      { match: 'abc', index: 0, groups: ['c'] },
      { match: 'abd', index: 4, groups: ['d'] },
    ]);
    expect(await evaluate('$contains("Hello", /hello/i)')).toBe(true);
    expect(await evaluate('$contains("a\\nb", /^b$/m)')).toBe(true);
    expect(await evaluate('$contains("a\\nb", /^b$/)')).toBe(false);
    expect(await evaluate('$replace("2024-05-01", /(\\d+)-(\\d+)-(\\d+)/, "$3/$2/$1")')).toBe('01/05/2024');
    expect(await evaluate('$split("a1b22c", /[0-9]+/)')).toEqual(['a', 'b', 'c']);
    expect(await evaluate('$match("😀ab", /b/).index')).toBe(3);
    expect(await evaluate('$match("ab", /(x)?b/).groups')).toEqual([null]);
  });
});

describe('built-ins that allocate in one native call', () => {
  it('$join refuses a result over the string limit before building it', async () => {
    await expect(evaluate('$join([s, s])', { s: 'a'.repeat(600_000) })).rejects.toMatchObject(limitHit(/\$join result would be 1200000/));
    expect(await evaluate('$join(["a", "b"], "-")')).toBe('a-b');
  });

  it('$string refuses a value whose JSON is over the string limit, counting prettified indentation', async () => {
    const deep = JSON.parse(`${'['.repeat(2_000)}${']'.repeat(2_000)}`) as unknown;
    await expect(evaluate('$string(deep, true)', { deep })).rejects.toMatchObject(limitHit(/\$string result/));
    expect(await evaluate('$string([1, 2], true)')).toBe('[\n  1,\n  2\n]');
  });

  it('$distinct runs in linear time with JSONata’s deep equality', async () => {
    const elapsed = await timed(() => evaluate('$count($distinct([1..100000]))'));
    expect(await evaluate('$count($distinct([1..100000]))')).toBe(100_000);
    expect(elapsed).toBeLessThan(5_000);
    expect(await evaluate('$distinct([1, "1", 1, {"a": 1, "b": 2}, {"b": 2, "a": 1}, [1, 2], [1, 2], null, null])')).toEqual([
      1,
      '1',
      { a: 1, b: 2 },
      [1, 2],
      null,
    ]);
  });

  it('$replace with a huge replacement fails with EXPRESSION_LIMIT', async () => {
    await expect(evaluate('$replace(s, "a", r)', { s: 'a'.repeat(100_000), r: 'b'.repeat(100_000) })).rejects.toMatchObject({
      code: 'EXPRESSION_LIMIT',
    });
  });

  it('date pictures: a huge width is refused, a backtracking $toMillis picture is rejected, normal ones work', async () => {
    await expect(evaluate('$fromMillis(0, "[Y," & w & "]")', { w: 500_000_000 })).rejects.toMatchObject(
      limitHit(/picture width 500000000/),
    );
    await expect(evaluate('$toMillis(t, p)', { t: `${'1'.repeat(40)}x`, p: '[Y]1[M]1[D]1[H]1[m]1[s]' })).rejects.toMatchObject({
      code: 'INVALID_EXPRESSION',
      message: expect.stringContaining('ambiguous'),
    });
    expect(() => compileExpression('$now("[Y,100000000]")')).toThrow(/picture width/);
    expect(await evaluate('$toMillis("2018-10-21", "[Y0001]-[M01]-[D01]")')).toBe(Date.UTC(2018, 9, 21));
    expect(await evaluate('$toMillis("21 October 2018", "[D1] [MNn] [Y]")')).toBe(Date.UTC(2018, 9, 21));
    expect(await evaluate('$fromMillis(0, "[Y0001]-[M01]-[D01]")')).toBe('1970-01-01');
    expect(await evaluate('$now("[Y]")')).toBe(String(new Date().getUTCFullYear()));
    // $now is the evaluation's timestamp, as $millis is, whatever an expression binds to $millis.
    expect(await evaluate('$toMillis($now()) = $millis()')).toBe(true);
    expect(await evaluate('($millis := function() { 0 }; $now() != "1970-01-01T00:00:00.000Z")')).toBe(true);
  });
});

describe('sizes of built values and results', () => {
  it('fails a value that refers to one large string from many places when its size is measured, not when it is serialised', async () => {
    await expect(evaluate('($s := s; $string([1..1000].$s))', { s: 'a'.repeat(100_000) })).rejects.toMatchObject(limitHit(/size limit/));
  });

  it('fails an oversize result instead of copying it', async () => {
    await expect(evaluate('{ "a": s, "b": s, "c": s, "d": s, "e": s }', { s: 'a'.repeat(1_000_000) })).rejects.toMatchObject(
      limitHit(/over the size limit of 4194304/),
    );
  });

  it('caps the items and characters one evaluation builds in total, garbage included', async () => {
    // Each `$s & "x"` builds a 1,000,001-character string that is dropped at once: memory stays low, the count does not.
    const source = '($s := s; $count($map([1..20], function($i) { $exists($s & "x") })))';
    await expect(evaluate(source, { s: 'a'.repeat(1_000_000) })).rejects.toMatchObject(limitHit(/built more than 10000000/));
    expect(await evaluate(source, { s: 'a'.repeat(100_000) })).toBe(20);
  });

  it('still returns plain JSON: -0 as 0, no function values, undefined members left out', async () => {
    expect(await evaluate('{ "z": -0, "f": $string, "u": nothing, "a": [1, $string] }')).toEqual({ z: 0, a: [1, null] });
    expect(Object.is(((await evaluate('{ "z": -0 }')) as { z: number }).z, 0)).toBe(true);
    expect(await evaluate('function($x) { $x }')).toBeUndefined();
  });
});

describe('registration', () => {
  it('rejects a definition whose condition is knowably unbounded, naming the field', () => {
    const definition = {
      name: 'hostile',
      steps: [
        { name: 'a', type: 'task', squad: 's', action: 'x', condition: '$length($pad("x", 200000000)) > 0' },
        { name: 'b', type: 'task', squad: 's', action: 'x', condition: '$contains(text, /(a)\\1/)' },
      ],
    };
    expect(() => validateDefinition(definition)).toThrow(
      expect.objectContaining({
        code: 'INVALID_DEFINITION',
        issues: [
          expect.objectContaining({ path: 'steps.0.condition', message: expect.stringContaining('over the limit') }),
          expect.objectContaining({ path: 'steps.1.condition', message: expect.stringContaining('backreference') }),
        ],
      }),
    );
  });
});
