import { createHash } from 'node:crypto';
import { z } from 'zod';
import { HandoffChainLinkSchema, NextHandoffSchema } from './chain-link.ts';
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

/** Input of `execute_handoff`: the package, the data it was packed from, and where the execution stands in a chain. */
export const HandoffDeliverySchema = z.object({
  package: HandoffPackageSchema,
  handoff_data: z.record(z.string(), z.unknown()),
  /** The context's `handoff_chain`: absent for the handoff a chain begins with. */
  chain: HandoffChainLinkSchema.optional(),
});
export type HandoffDelivery = z.output<typeof HandoffDeliverySchema>;

/** Result of `execute_handoff`: the receipt, and what became of the next handoff. */
export const HandoffReceiptSchema = z.object({
  delivered: z.boolean(),
  package_id: z.string(),
  delivered_to: z.string(),
  next_step: z.string(),
  checksum: z.string(),
  next_handoff: NextHandoffSchema,
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
