import { SquadflowError } from '@squadflow/shared';

/** An opaque page cursor: the last listed execution's creation time and id. */
export function encodeCursor(createdAt: number, executionId: string): string {
  return Buffer.from(JSON.stringify([createdAt, executionId])).toString('base64url');
}

export function decodeCursor(cursor: string): { createdAt: number; executionId: string } {
  try {
    const [createdAt, executionId] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as [unknown, unknown];
    if (typeof createdAt === 'number' && typeof executionId === 'string') return { createdAt, executionId };
  } catch {
    // fall through
  }
  throw new SquadflowError('INVALID_ARGUMENT', 'invalid cursor', [{ path: 'cursor', message: 'not a cursor returned by a previous page' }]);
}
