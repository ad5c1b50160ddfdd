import { SquadflowError } from '@squadflow/shared';

/**
 * An opaque page cursor: the last listed execution's creation time and id,
 * and, for pages walked from a creation log, the log position the next
 * page starts below (`seq`).
 */
export interface PageCursor {
  createdAt: number;
  executionId: string;
  seq?: number;
}

export function encodeCursor(createdAt: number, executionId: string, seq?: number): string {
  return Buffer.from(JSON.stringify(seq === undefined ? [createdAt, executionId] : [createdAt, executionId, seq])).toString('base64url');
}

export function decodeCursor(cursor: string): PageCursor {
  try {
    const [createdAt, executionId, seq] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as [unknown, unknown, unknown];
    if (typeof createdAt === 'number' && typeof executionId === 'string') {
      if (seq === undefined) return { createdAt, executionId };
      if (typeof seq === 'number' && Number.isInteger(seq) && seq >= 0) return { createdAt, executionId, seq };
    }
  } catch {
    // fall through
  }
  throw new SquadflowError('INVALID_ARGUMENT', 'invalid cursor', [{ path: 'cursor', message: 'not a cursor returned by a previous page' }]);
}
