import { z } from 'zod';

/** Which archived executions `EngineClient.exportArchive` yields. */
export const ArchiveExportFilterSchema = z.strictObject({
  /** Created at or after (epoch ms). */
  since: z.number().int().nonnegative().optional(),
  /** Created before (epoch ms). */
  until: z.number().int().nonnegative().optional(),
  workflow: z.string().min(1).max(64).optional(),
});
export type ArchiveExportFilter = z.output<typeof ArchiveExportFilterSchema>;
