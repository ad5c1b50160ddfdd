import { checkStringLength, EXPRESSION_LIMITS, limitError } from './limits.ts';
import { isFunctionValue, jsonSize } from './value-size.ts';
import { regexEngineFor, type RegexBudget } from './regex.ts';

/**
 * The checks JSONata runs around every node it evaluates, through the
 * hooks it looks up in the environment before and after each node
 * (`Symbol.for('jsonata.__evaluate_entry')` / `__evaluate_exit`). They see
 * the code `$eval` parses at run time too, since that code is evaluated in
 * the same environment.
 */

/** A parsed JSONata node, as far as the hooks read or rewrite it. */
interface Node {
  type: string;
  value?: unknown;
  position?: number;
  lhs?: unknown;
  rhs?: unknown;
  procedure?: Node;
  arguments?: unknown[];
}

/** The per-evaluation environment JSONata passes to the hooks; `base` is the evaluation's root frame. */
interface Environment {
  base: { [BUILT]?: number; [STEPS]?: number; [REGEX]?: RegexBudget; RegexEngine?: unknown };
}

export const ENTRY_HOOK = Symbol.for('jsonata.__evaluate_entry');
export const EXIT_HOOK = Symbol.for('jsonata.__evaluate_exit');
/** Items built so far by one evaluation, kept on its root frame. */
const BUILT = Symbol('squadflow.built');
/** Nodes evaluated so far by one evaluation. */
const STEPS = Symbol('squadflow.steps');
/** The regex work of one evaluation. */
const REGEX = Symbol('squadflow.regex');
/**
 * The name the capped range function is bound under: ":" ends a name in
 * JSONata, so no expression can write `$squadflow:range` to rebind it.
 */
export const RANGE_FUNCTION = 'squadflow:range';

/**
 * Nodes whose result is a value they built (rather than one read from the
 * data or a variable): the only results whose size has to be measured.
 */
const BUILDS: Readonly<Record<string, true>> = { path: true, binary: true, unary: true, function: true, apply: true, descendant: true };

/**
 * Before a node: one step of the evaluation's step budget (a count, not a
 * clock: see `EXPRESSION_LIMITS.steps`); the evaluation's regexes get its
 * shared regex budget; a range `a..b` becomes a call of the capped range function.
 * JSONata's own range operator allocates up to 10 million items in one call
 * before anything can check it. The node is rewritten in place, once; the
 * hook runs before JSONata reads the node's type.
 */
export function onEntry(expr: Node, _input: unknown, environment: Environment): void {
  const base = environment.base;
  const steps = (base[STEPS] ?? 0) + 1;
  base[STEPS] = steps;
  if (steps > EXPRESSION_LIMITS.steps) throw limitError(`the evaluation went past its budget of ${EXPRESSION_LIMITS.steps} steps`);
  if (expr.type === 'regex' && base[REGEX] === undefined) {
    // JSONata builds each regex with `new base.RegexEngine(...)`: one class per evaluation shares its regex budget.
    const budget: RegexBudget = { work: 0 };
    base[REGEX] = budget;
    base.RegexEngine = regexEngineFor(budget);
  }
  if (expr.type === 'binary' && expr.value === '..') {
    Object.assign(expr, {
      type: 'function',
      value: '(',
      procedure: { type: 'variable', value: RANGE_FUNCTION, position: expr.position },
      arguments: [expr.lhs, expr.rhs],
    });
  }
}

/**
 * After a node: a value it built must be within the string and size limits,
 * and the evaluation's running count of built items within its total, so that
 * a loop doubling a string or collecting ranges fails long before memory does.
 */
export function onExit(expr: Node, _input: unknown, environment: Environment, result: unknown): void {
  if (BUILDS[expr.type] !== true || result === undefined || result === null) return;
  if (typeof result === 'string') {
    // A path only reads strings; one built inside it was checked and counted at the node that built it.
    if (expr.type === 'path') return;
    checkStringLength(result.length, 'a string');
    charge(environment, result.length);
    return;
  }
  if (typeof result !== 'object' || isFunctionValue(result)) return;
  charge(environment, Array.isArray(result) ? result.length : 1);
  const size = jsonSize(result, EXPRESSION_LIMITS.valueSize);
  if (size > EXPRESSION_LIMITS.valueSize) {
    throw limitError(
      `a value built at position ${expr.position ?? 0} is over the size limit of ${EXPRESSION_LIMITS.valueSize} (about JSON characters)`,
    );
  }
}

function charge(environment: Environment, items: number): void {
  const base = environment.base;
  const built = (base[BUILT] ?? 0) + items;
  base[BUILT] = built;
  if (built > EXPRESSION_LIMITS.built) {
    throw limitError(`the evaluation built more than ${EXPRESSION_LIMITS.built} items and characters in total`);
  }
}

/** JSONata's error shape (its message is filled in from the code by JSONata). */
function jsonataError(code: string, value: unknown): Error {
  return Object.assign(new Error(code), { code, value });
}

/** `lhs..rhs` with JSONata's semantics (integers, undefined when either is missing or lhs > rhs), capped. */
export function cappedRange(lhs: unknown, rhs: unknown): number[] | undefined {
  if (lhs !== undefined && !Number.isInteger(lhs)) throw jsonataError('T2003', lhs);
  if (rhs !== undefined && !Number.isInteger(rhs)) throw jsonataError('T2004', rhs);
  if (typeof lhs !== 'number' || typeof rhs !== 'number' || lhs > rhs) return undefined;
  const size = rhs - lhs + 1;
  if (size > EXPRESSION_LIMITS.rangeItems) {
    throw limitError(`the range [${lhs}..${rhs}] has ${size} items, over the limit of ${EXPRESSION_LIMITS.rangeItems}`);
  }
  const items = new Array<number>(size);
  for (let i = 0; i < size; i++) items[i] = lhs + i;
  // JSONata marks generated arrays as sequences, so `[1..3]` flattens as it would natively.
  return Object.assign(items, { sequence: true });
}
