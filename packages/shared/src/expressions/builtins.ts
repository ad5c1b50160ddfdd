import jsonata from 'jsonata';
import { checkFormatPicture, checkParsePicture } from './date-pictures.ts';
import { checkStringLength, EXPRESSION_LIMITS } from './limits.ts';
import { isFunctionValue, jsonSize } from './value-size.ts';

/**
 * Built-in functions that do their harm inside one native call, where no
 * JSONata check runs until it returns: each gets its arguments checked first
 * (`$pad("x", 200000000)` builds 200 million characters in one go), or is
 * replaced (`$distinct` compares every pair of items). Bound in each compiled
 * expression's environment, they shadow JSONata's own; `$eval`'d code sees
 * them too, since it runs in the same environment.
 */

/** A JSONata function value: its implementation, called with the focus as `this`, and its parsed signature. */
interface JsonataFunction {
  _jsonata_function: true;
  implementation: (this: Focus, ...args: unknown[]) => unknown;
  signature?: unknown;
}

/** What JSONata passes as `this` to a built-in. */
interface Focus {
  environment: { timestamp: Date };
  createSequence(): unknown[];
}

/** Argument checks, run before the built-in of the same name. */
const ARGUMENT_CHECKS: Readonly<Record<string, (args: unknown[]) => void>> = {
  pad([, width, char]) {
    if (typeof width !== 'number') return;
    // JSONata builds the padding from whole copies of `char` before trimming it.
    const unit = typeof char === 'string' && char.length > 1 ? char.length : 1;
    checkStringLength(Math.abs(width) * unit, 'the $pad result');
  },
  join([strings, separator]) {
    if (!Array.isArray(strings)) return;
    const gap = typeof separator === 'string' ? separator.length : 0;
    let length = 0;
    for (const s of strings) length += (typeof s === 'string' ? s.length : 0) + gap;
    checkStringLength(length, 'the $join result');
  },
  string([value, prettify]) {
    if (value === null || typeof value !== 'object') return;
    checkStringLength(jsonSize(value, EXPRESSION_LIMITS.stringLength, prettify === true ? 2 : 0), 'the $string result');
  },
  fromMillis: ([, picture]) => checkFormatPicture(picture),
  toMillis: ([, picture]) => checkParsePicture(picture),
};

/**
 * Runs the argument checks of the built-in `name` (if it has any) on
 * `args`, where unknown arguments are `undefined`: the registration-time
 * check passes the constant ones.
 */
export function checkBuiltinArguments(name: string, args: unknown[]): void {
  if (name === 'now') checkFormatPicture(args[0]);
  else if (Object.hasOwn(ARGUMENT_CHECKS, name)) ARGUMENT_CHECKS[name]!(args);
}

let loaded: Promise<ReadonlyArray<readonly [string, JsonataFunction]>> | undefined;

/** The guarded built-ins by name, loaded once (JSONata hands out its own built-ins only through an evaluation). */
export function guardedBuiltins(): Promise<ReadonlyArray<readonly [string, JsonataFunction]>> {
  loaded ??= loadGuardedBuiltins();
  return loaded;
}

async function loadGuardedBuiltins(): Promise<ReadonlyArray<readonly [string, JsonataFunction]>> {
  const native = async (name: string) => (await jsonata(`$${name}`).evaluate(undefined)) as JsonataFunction;
  const guarded: Array<readonly [string, JsonataFunction]> = [];
  for (const [name, check] of Object.entries(ARGUMENT_CHECKS)) {
    const original = await native(name);
    guarded.push([name, { ...original, implementation: checked(original, check) }]);
  }
  const fromMillis = await native('fromMillis');
  // JSONata binds `$now` per compiled expression to the evaluation's timestamp, which every frame of the evaluation carries.
  const now = function (this: Focus, picture?: unknown, timezone?: unknown) {
    checkFormatPicture(picture);
    return fromMillis.implementation.call(this, this.environment.timestamp.getTime(), picture, timezone);
  };
  guarded.push(['now', { ...(await native('now')), implementation: now }]);
  guarded.push(['distinct', { ...(await native('distinct')), implementation: distinct }]);
  return guarded;
}

function checked(original: JsonataFunction, check: (args: unknown[]) => void): JsonataFunction['implementation'] {
  return function (this: Focus, ...args: unknown[]) {
    check(args);
    return original.implementation.apply(this, args);
  };
}

/**
 * `$distinct` in linear time: JSONata's own compares each item with every
 * item kept so far, which over 100,000 items is 5 billion deep comparisons
 * in one call. Items are equal when JSONata's deep equality says so: the
 * same primitive, or arrays and objects with equal contents (key order aside).
 */
function distinct(this: Focus, items: unknown): unknown {
  if (items === undefined) return undefined;
  if (!Array.isArray(items) || items.length <= 1) return items;
  const out = (items as { sequence?: boolean }).sequence === true ? this.createSequence() : [];
  const seen = new Set<unknown>();
  for (const item of items) {
    const key = item !== null && typeof item === 'object' && !isFunctionValue(item) ? `\u0000${canonical(item)}` : item;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(item);
  }
  return out;
}

/** A string equal for deep-equal values: arrays in order, objects with sorted keys. */
function canonical(value: unknown): string {
  if (value === undefined) return 'u';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (isFunctionValue(value)) return `f${functionId(value)}`;
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(record[k])}`).join(',')}}`;
}

/** Functions are equal only to themselves. */
const functionIds = new WeakMap<object, number>();
let lastFunctionId = 0;
function functionId(fn: object): number {
  let id = functionIds.get(fn);
  if (id === undefined) {
    id = ++lastFunctionId;
    functionIds.set(fn, id);
  }
  return id;
}
