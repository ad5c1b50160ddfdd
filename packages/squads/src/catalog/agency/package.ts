import { createHash } from 'node:crypto';
import { z } from 'zod';
import { HANDOFF_CHAIN } from './common.ts';

/** Input of `create_handoff_package`: which handoff, the run's id and the transformed data. */
export const PackageRequestSchema = z.object({
  handoff: z.enum(HANDOFF_CHAIN),
  workflow_id: z.string().min(1),
  handoff_data: z.record(z.string(), z.unknown()),
});

/** A handoff package: addressed, checksummed, ready for the target domain. */
export const HandoffPackageSchema = z.object({
  package_id: z.string(),
  workflow_id: z.string(),
  handoff: z.enum(HANDOFF_CHAIN),
  source_domain: z.string(),
  target_domain: z.string(),
  next_step: z.string(),
  /** SHA-256 of the canonical JSON of `handoff_data`: the receiver checks what it got is what was packed. */
  checksum: z.string().regex(/^[0-9a-f]{64}$/),
});
export type HandoffPackage = z.output<typeof HandoffPackageSchema>;

/** Result of `execute_handoff`. */
export const HandoffReceiptSchema = z.object({
  delivered: z.boolean(),
  package_id: z.string(),
  delivered_to: z.string(),
  next_step: z.string(),
  checksum: z.string(),
});
export type HandoffReceipt = z.output<typeof HandoffReceiptSchema>;

/** JSON with object keys sorted at every level: the same data always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function checksumOf(data: unknown): string {
  return createHash('sha256').update(canonicalJson(data)).digest('hex');
}
