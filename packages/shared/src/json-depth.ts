/**
 * A nesting limit for JSON that comes from outside (trigger contexts, signal
 * data, webhook bodies). `JSON.stringify`, JSON Schema validators and
 * expression evaluators recurse, so a body nested 100,000 levels deep
 * overflows the stack somewhere far from the boundary that let it in. Both
 * checks here are iterative: they cannot overflow themselves.
 */

import { SquadflowError, type ErrorCode } from './errors.ts';

/** Deepest nesting of objects and arrays accepted from outside: `{}` is depth 1, `{"a":[1]}` depth 2. */
export const MAX_JSON_DEPTH = 64;

/** The error for JSON nested deeper than `MAX_JSON_DEPTH`, naming `field` and the limit. */
export function jsonDepthError(field: string, code: ErrorCode): SquadflowError {
  return new SquadflowError(code, `${field} is nested too deeply`, [
    { path: field, message: `objects and arrays may nest at most ${MAX_JSON_DEPTH} levels deep` },
  ]);
}

/** Whether `value` (already parsed) nests objects or arrays deeper than `limit`. */
export function exceedsJsonDepth(value: unknown, limit = MAX_JSON_DEPTH): boolean {
  if (value === null || typeof value !== 'object') return false;
  const stack: Array<[object, number]> = [[value, 1]];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [node, depth] = next;
    if (depth > limit) return true;
    if (Array.isArray(node)) {
      for (const child of node) if (child !== null && typeof child === 'object') stack.push([child as object, depth + 1]);
    } else {
      // for-in rather than Object.values: no array per object on the trigger path.
      for (const key in node) {
        const child = (node as Record<string, unknown>)[key];
        if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
      }
    }
  }
  return false;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const CLOSE_OBJECT = 0x7d;
const CLOSE_ARRAY = 0x5d;

/**
 * Whether JSON text (UTF-8 bytes, not parsed yet) nests deeper than `limit`:
 * one pass over the bytes counting brackets outside strings, so it can run
 * before `JSON.parse`. Text that is not JSON is left to the parser to refuse.
 */
export function exceedsJsonTextDepth(bytes: Uint8Array, limit = MAX_JSON_DEPTH): boolean {
  // Fewer brackets than the limit cannot nest deeper than it: skip the scan for small bodies.
  if (bytes.length <= limit) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (++depth > limit) return true;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) depth--;
  }
  return false;
}
