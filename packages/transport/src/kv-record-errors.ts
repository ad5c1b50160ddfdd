/**
 * Errors of the schema-checked KV records (`kv-records.ts`): a stored value
 * that is not the record its bucket holds, and a compare-and-set that kept
 * losing to other writers.
 */
import type { FieldIssue } from '@squadflow/shared';
import type { KvConflictError } from './ports.ts';

/**
 * A stored value that is not JSON or fails its bucket's schema. `issues`
 * name each field at fault (zod paths, `''` for the value as a whole), so a
 * corrupt or foreign entry is reported, never handed on as a cast.
 */
export class KvRecordError extends Error {
  override readonly name = 'KvRecordError';
  readonly code = 'INVALID_RECORD';
  constructor(
    readonly bucket: string,
    readonly key: string,
    readonly issues: FieldIssue[],
    options?: { cause?: unknown },
  ) {
    super(`invalid record ${bucket}/${key}: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`, options);
  }
}

/**
 * A read-modify-write that lost the compare-and-set `attempts` times in a
 * row. `cause` is the last `KvConflictError`. Transient by nature: the
 * caller may retry later (a message handler naks, an HTTP call answers 5xx).
 */
export class KvContentionError extends Error {
  override readonly name = 'KvContentionError';
  readonly code = 'CONTENTION';
  constructor(
    readonly bucket: string,
    readonly key: string,
    readonly attempts: number,
    options: { cause: KvConflictError },
  ) {
    super(`gave up on ${bucket}/${key} after ${attempts} compare-and-set conflicts`, options);
  }
}
