import { z } from 'zod';

/** Any JSON object (contexts, step inputs and outputs). */
export const JsonObjectSchema = z.record(z.string(), z.unknown());
export type JsonObject = z.output<typeof JsonObjectSchema>;

/** Execution ids are ours: safe as subject tokens and KV keys. */
export const ExecutionIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, 'invalid execution id: 1 to 128 letters, digits, "_" or "-"');

export const EpochMsSchema = z.number().int().nonnegative();
