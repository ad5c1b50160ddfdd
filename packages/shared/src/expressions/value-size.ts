import { limitError } from './limits.ts';

/**
 * Sizes of evaluated values, measured roughly as JSON characters (a string
 * counts its length, a number 4, each key its length), walked without
 * recursion and stopped once past the limit: a value that refers to one
 * large string from 100,000 places costs 100,000 steps to reject, not the
 * gigabytes its JSON would take.
 */

/** A JSONata function value (built-in, lambda, or a JavaScript function): not data, and serialised as nothing. */
export function isFunctionValue(value: object): boolean {
  const v = value as { _jsonata_lambda?: unknown; _jsonata_function?: unknown };
  return typeof value === 'function' || v._jsonata_lambda === true || v._jsonata_function === true;
}

/**
 * The approximate JSON length of `value`, or the first count over `limit`.
 * With `indent`, also the indentation JSON.stringify would add at each depth.
 */
export function jsonSize(value: unknown, limit: number, indent = 0): number {
  let size = leafSize(value);
  if (size >= 0) return size;
  size = 0;
  // Containers still to open, with their depths; leaves are counted where they are met, not stacked.
  const containers: object[] = [value as object];
  const depths: number[] = [0];
  while (containers.length) {
    const v = containers.pop()!;
    const inner = depths.pop()! + 1;
    const perItem = 1 + inner * indent;
    if (Array.isArray(v)) {
      size += 2 + v.length * perItem;
      for (let i = 0; i < v.length && size <= limit; i++) {
        const leaf = leafSize(v[i]);
        if (leaf >= 0) size += leaf;
        else {
          containers.push(v[i] as object);
          depths.push(inner);
        }
      }
    } else {
      size += 2;
      for (const key in v) {
        if (size > limit) break;
        if (!Object.hasOwn(v, key)) continue;
        const member = (v as Record<string, unknown>)[key];
        size += key.length + 3 + perItem;
        const leaf = leafSize(member);
        if (leaf >= 0) size += leaf;
        else {
          containers.push(member as object);
          depths.push(inner);
        }
      }
    }
    if (size > limit) return size;
  }
  return size;
}

/** The size of a string, number, boolean, null or function, or -1 for an array or object. */
function leafSize(v: unknown): number {
  if (typeof v === 'string') return v.length + 2;
  if (v === null || typeof v !== 'object') return 4;
  return isFunctionValue(v) ? 2 : -1;
}

/**
 * The value as plain JSON data, what `JSON.parse(JSON.stringify(value))`
 * gives (JSONata's sequence flags dropped, functions and `undefined` members
 * left out, -0 and non-finite numbers as JSON has them) but built in one
 * pass that throws `EXPRESSION_LIMIT` once past `limit` instead of first
 * allocating the whole string.
 */
export function toPlainJson(value: unknown, limit: number): unknown {
  // A bare regex literal (`/a+/`) evaluates to JSONata's matcher, a JavaScript function: not data.
  if (typeof value === 'function') return undefined;
  if (value === null || typeof value !== 'object') return value;
  let size = 0;
  const charge = (n: number): void => {
    size += n;
    if (size > limit) throw limitError(`the result is over the size limit of ${limit} (about JSON characters)`);
  };
  const copy = (v: unknown): unknown => {
    switch (typeof v) {
      case 'string':
        charge(v.length + 2);
        return v;
      case 'number':
        charge(4);
        return Number.isFinite(v) ? v + 0 : null; // `+ 0` makes -0 the 0 that JSON has
      case 'boolean':
        charge(5);
        return v;
      case 'object': {
        if (v === null) {
          charge(4);
          return null;
        }
        if (isFunctionValue(v)) return undefined;
        if (Array.isArray(v)) {
          charge(2 + v.length);
          const out: unknown[] = new Array<unknown>(v.length);
          for (let i = 0; i < v.length; i++) out[i] = copy(v[i]) ?? null;
          return out;
        }
        charge(2);
        const out: Record<string, unknown> = {};
        for (const key in v) {
          if (!Object.hasOwn(v, key)) continue;
          const member = copy((v as Record<string, unknown>)[key]);
          if (member === undefined) continue;
          charge(key.length + 4);
          // Assigning "__proto__" would set the prototype; JSON.parse makes it an own property.
          if (key === '__proto__') Object.defineProperty(out, key, { value: member, enumerable: true, writable: true, configurable: true });
          else out[key] = member;
        }
        return out;
      }
      default:
        return undefined; // undefined, functions, symbols
    }
  };
  return copy(value);
}
