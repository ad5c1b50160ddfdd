import { RE2JS, type Matcher } from 're2js';
import { SquadflowError } from '../errors.ts';
import { EXPRESSION_LIMITS, limitError } from './limits.ts';

/**
 * Regular expressions in expressions run on RE2 (re2js, a pure JavaScript
 * port), not on V8's backtracking engine: a search takes time linear in the
 * text, so `/^(a+)+$/` over "aaaa…a!" answers at once instead of spinning
 * for hours inside one native call that no timeout can interrupt. RE2 has no
 * backreferences and no lookaround; those patterns are rejected.
 */

/** Compiled programs by flags and source: each pattern is compiled once, not once per evaluation. */
const programs = new Map<string, RE2JS>();
const MAX_CACHED_PROGRAMS = 1_000;

/**
 * Compiles a pattern JSONata's parser produced (flags `i`/`m` plus its own
 * `g`) into an RE2 program; throws `INVALID_EXPRESSION` naming the pattern
 * for syntax RE2 does not have or a program over the size limit.
 */
export function compileRegex(regexp: RegExp): RE2JS {
  const key = `${regexp.flags}/${regexp.source}`;
  const hit = programs.get(key);
  if (hit) return hit;
  const unsupported = unsupportedSyntax(regexp.source);
  if (unsupported) throw invalidRegex(regexp, `${unsupported} is not supported (regular expressions use RE2 syntax)`);
  let program: RE2JS;
  try {
    program = RE2JS.compile(RE2JS.translateRegExp(regexp));
  } catch (err) {
    throw invalidRegex(regexp, (err as Error).message);
  }
  if (program.programSize() > EXPRESSION_LIMITS.regexProgram) {
    throw invalidRegex(regexp, `it compiles to ${program.programSize()} instructions, over the limit of ${EXPRESSION_LIMITS.regexProgram}`);
  }
  if (programs.size >= MAX_CACHED_PROGRAMS) programs.clear();
  programs.set(key, program);
  return program;
}

/**
 * The `RegexEngine` JSONata is given: it calls `new RegexEngine(regexp)`
 * where a regex literal is evaluated, then sets `lastIndex` and calls
 * `exec(text)` once per match, reading `match[0]`, `match.index`, the groups
 * and the new `lastIndex` (JavaScript's `g` semantics).
 */
export class Re2RegexEngine {
  lastIndex = 0;
  readonly #program: RE2JS;
  readonly #size: number;
  /** The regex work of the evaluation this regex belongs to (see `regexEngineFor`). */
  readonly #budget: RegexBudget;
  #matcher: Matcher | undefined;
  #text: string | undefined;

  constructor(regexp: RegExp, budget: RegexBudget = { work: 0 }) {
    this.#program = compileRegex(regexp);
    this.#size = this.#program.programSize();
    this.#budget = budget;
  }

  exec(input: unknown): RegExpExecArray | null {
    const text = typeof input === 'string' ? input : String(input);
    const from = this.lastIndex;
    if (from > text.length) {
      this.lastIndex = 0;
      return null;
    }
    // RE2 is linear in text length times program size: charge what this search can scan at most, before it runs.
    // A native loop such as $replace's calls exec once per match without passing through JSONata's own checks.
    const work = this.#budget.work + (text.length - from + 1) * this.#size;
    if (work > EXPRESSION_LIMITS.regexWork) {
      throw limitError(
        `regular expression searches over ${text.length - from} more characters with a ${this.#size}-instruction pattern are over the evaluation's limit of ${EXPRESSION_LIMITS.regexWork} (characters × instructions)`,
      );
    }
    // Successive matches over one text reuse its matcher, as JSONata's $match / $replace loops do.
    if (this.#text !== text || !this.#matcher) {
      this.#matcher = this.#program.matcher(text);
      this.#text = text;
    }
    const matcher = this.#matcher;
    if (!matcher.find(from)) {
      this.#budget.work += (text.length - from + 1) * this.#size; // scanned to the end
      this.lastIndex = 0;
      return null;
    }
    const groups: Array<string | undefined> = [];
    for (let g = 0; g <= matcher.groupCount(); g++) groups.push(matcher.group(g) ?? undefined);
    const match = Object.assign(groups, { index: matcher.start(), input: text }) as unknown as RegExpExecArray;
    this.lastIndex = matcher.end();
    // Charged: what was scanned up to the end of this match (the next search starts there).
    this.#budget.work += (this.lastIndex - from + 1) * this.#size;
    return match;
  }
}

/** The regex work (characters × instructions) an evaluation has spent so far. */
export interface RegexBudget {
  work: number;
}

/** A `RegexEngine` class whose regexes charge one shared budget: one per evaluation. */
export function regexEngineFor(budget: RegexBudget): typeof Re2RegexEngine {
  return class extends Re2RegexEngine {
    constructor(regexp: RegExp) {
      super(regexp, budget);
    }
  };
}

function invalidRegex(regexp: RegExp, reason: string): SquadflowError {
  return new SquadflowError('INVALID_EXPRESSION', `regular expression /${regexp.source}/: ${reason}`);
}

/**
 * Backreferences and lookaround, which RE2 cannot express, found before
 * translation: re2js's translator would otherwise turn `\k<name>` into the
 * letter `k` and change the pattern's meaning without a word.
 */
function unsupportedSyntax(source: string): string | undefined {
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      const next = source[i + 1] ?? '';
      if (!inClass && next >= '1' && next <= '9') return `the backreference \\${next} at ${i}`;
      if (!inClass && next === 'k' && source[i + 2] === '<') return `the named backreference at ${i}`;
      i++;
    } else if (inClass) {
      if (c === ']') inClass = false;
    } else if (c === '[') {
      inClass = true;
    } else if (c === '(' && source[i + 1] === '?') {
      const kind = source[i + 2] === '<' ? source.slice(i + 2, i + 4) : source[i + 2];
      if (kind === '=' || kind === '!' || kind === '<=' || kind === '<!') return `the lookaround (?${kind} at ${i}`;
    }
  }
  return undefined;
}
