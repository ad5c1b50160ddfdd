import { SquadflowError } from '../errors.ts';

/**
 * The size limits of a workflow definition, checked before any other work on
 * it (docs/definitions.md, "Limits"). Registration (every path: HTTP, CLI,
 * engine client), compiling and the builders go through `validateDefinition`,
 * which checks them first.
 *
 * They bound what one definition can cost: compiling is linear in the number
 * of steps (0.1–0.3 ms per step on a 2-core machine), and so is the work of
 * every event of an execution of it (XState walks the parallel state's regions).
 */

/** The most steps a definition may have. */
export const MAX_DEFINITION_STEPS = 1_000;

/**
 * The largest definition, in bytes of its compact JSON (UTF-8): ~500 B per
 * step at the step limit. The stored form (defaults filled in) stays under
 * NATS's default 1 MiB `max_payload`.
 */
export const MAX_DEFINITION_BYTES = 512 * 1024;

/**
 * Rejects a definition over a limit with `DEFINITION_TOO_LARGE`, naming the
 * limit and the field. The step count is read first (no walk of the steps);
 * the byte size is measured on the compact JSON, so formatting does not count.
 */
export function checkDefinitionLimits(input: unknown): void {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return;
  const steps = (input as { steps?: unknown }).steps;
  if (Array.isArray(steps) && steps.length > MAX_DEFINITION_STEPS) {
    throw tooLarge(input, 'steps', `${steps.length} steps; at most ${MAX_DEFINITION_STEPS} are allowed (MAX_DEFINITION_STEPS)`);
  }
  let json: string | undefined;
  try {
    json = JSON.stringify(input);
  } catch {
    // Not JSON (a cycle, a BigInt): the schema check names the field.
    return;
  }
  const bytes = json === undefined ? 0 : utf8Length(json);
  if (bytes > MAX_DEFINITION_BYTES) {
    throw tooLarge(input, '(root)', `${bytes} bytes of JSON; at most ${MAX_DEFINITION_BYTES} are allowed (MAX_DEFINITION_BYTES)`);
  }
}

function tooLarge(input: object, path: string, message: string): SquadflowError {
  const name = (input as { name?: unknown }).name;
  const named = typeof name === 'string' ? ` "${name.slice(0, 64)}"` : '';
  return new SquadflowError('DEFINITION_TOO_LARGE', `workflow definition${named} is too large`, [{ path, message }]);
}

/** Bytes of `text` in UTF-8, without encoding it. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4; // a surrogate pair: one 4-byte code point
      i++;
    } else bytes += 3;
  }
  return bytes;
}
