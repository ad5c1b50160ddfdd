import { z } from 'zod';
import { EpochMsSchema } from '@squadflow/shared';
import { ExecutionRecordSchema } from '../store/execution-record.ts';

/**
 * One archived execution, the body of its archive message: the record as it
 * last stood in the hot store, the revision it had there (so a sweeper that
 * archives it again after a crash sees it is already there), and when.
 * `slimmed`: the record was too large for one message with its snapshot, so
 * the snapshot (and, if needed, context and output) were left out.
 */
export const ArchivedExecutionSchema = z.object({
  v: z.literal(1),
  archivedAt: EpochMsSchema,
  revision: z.number().int().positive(),
  slimmed: z.boolean().optional(),
  record: ExecutionRecordSchema,
});
export type ArchivedExecution = z.output<typeof ArchivedExecutionSchema>;
