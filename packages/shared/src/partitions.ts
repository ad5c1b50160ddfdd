/**
 * Executions are spread over a fixed number of partitions; orchestrator
 * replicas hold leases on partitions (docs/architecture.md, "Partitions and
 * leases"). The count is part of the wire contract: every publisher puts an
 * execution's partition in the subjects addressed to it (`names.reply` etc.),
 * and changing the count moves executions between partitions, so every
 * process of a deployment must agree on it.
 *
 * 16, not more: on NATS each partition is a durable consumer (on a clustered
 * R3 stream, one Raft group each), and each replica keeps a pull open per
 * partition it owns. 16 still splits evenly over 2, 4, 8 or 16 replicas and
 * within one partition over 3 (6/5/5).
 */
export const PARTITIONS = 16;

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** The partition of an execution: FNV-1a (32-bit) of its id's UTF-16 code units, modulo `PARTITIONS`. Stable across processes and versions. */
export function partitionOf(executionId: string): number {
  let hash = FNV_OFFSET;
  for (let i = 0; i < executionId.length; i++) {
    hash ^= executionId.charCodeAt(i);
    hash = Math.imul(hash, FNV_PRIME) >>> 0;
  }
  return hash % PARTITIONS;
}
