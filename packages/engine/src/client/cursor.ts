import { SquadflowError } from '@squadflow/shared';
import { z } from 'zod';

/**
 * An opaque page cursor: the last listed execution's creation time and id,
 * and, for pages walked from the creation logs, the position in each log
 * (`positions`, in `ExecutionIndex.logSources` order) the next page starts at.
 */
export interface PageCursor {
  createdAt: number;
  executionId: string;
  positions?: number[];
}

const Position = z.number().int().nonnegative();
/**
 * `[createdAt, id]`, `[createdAt, id, positions]`, or, from the version
 * before partitioned logs, `[createdAt, id, seq]`: a position in one log
 * that no longer says where the next page starts, so it is dropped (the
 * page is then walked from the heads, keeping what sorts after the cursor).
 */
const CursorSchema = z.union([
  z.tuple([z.number(), z.string()]),
  z.tuple([z.number(), z.string(), z.union([Position, z.array(Position).min(1).max(64)])]),
]);

export function encodeCursor(createdAt: number, executionId: string, positions?: readonly number[]): string {
  return Buffer.from(JSON.stringify(positions === undefined ? [createdAt, executionId] : [createdAt, executionId, positions])).toString(
    'base64url',
  );
}

export function decodeCursor(cursor: string): PageCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString());
  } catch {
    parsed = undefined;
  }
  const result = CursorSchema.safeParse(parsed);
  if (!result.success)
    throw new SquadflowError('INVALID_ARGUMENT', 'invalid cursor', [
      { path: 'cursor', message: 'not a cursor returned by a previous page' },
    ]);
  const [createdAt, executionId, position] = result.data;
  return Array.isArray(position) ? { createdAt, executionId, positions: position } : { createdAt, executionId };
}
