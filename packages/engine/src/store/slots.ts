import { kvRecords, type KvRecords, type KvStore } from '@squadflow/transport';
import { z } from 'zod';

// Loose: a field a newer replica adds survives this one's rewrite, as it did before the schema.
const QueuedSchema = z.looseObject({ executionId: z.string(), priority: z.number(), at: z.number() });
const SlotStateSchema = z.looseObject({ active: z.array(z.string()), queue: z.array(QueuedSchema) });
type Queued = z.output<typeof QueuedSchema>;
type SlotState = z.output<typeof SlotStateSchema>;

/**
 * Places under a workflow's concurrency limit (`<p>_slots`, one key per
 * workflow): the executions running, and the queue of those waiting, highest
 * priority first, then oldest. Every change is a compare-and-set, so replicas
 * share one count; acquire and release are idempotent per execution id, so
 * re-performing them after a crash changes nothing.
 */
export class WorkflowSlots {
  private readonly records: KvRecords<SlotState>;

  constructor(kv: KvStore) {
    this.records = kvRecords(kv, SlotStateSchema);
  }

  /** Takes a place, or joins the queue. */
  acquire(workflow: string, limit: number, entry: Queued): Promise<'running' | 'queued'> {
    return this.change(workflow, (s) => {
      if (s.active.includes(entry.executionId)) return [undefined, 'running'];
      if (s.queue.some((q) => q.executionId === entry.executionId)) return [undefined, 'queued'];
      if (s.active.length < limit) return [{ ...s, active: [...s.active, entry.executionId] }, 'running'];
      return [{ ...s, queue: [...s.queue, entry].sort((a, b) => b.priority - a.priority || a.at - b.at) }, 'queued'];
    });
  }

  /** Frees an ended execution's place; returns the queued execution that takes it, if any. */
  release(workflow: string, executionId: string): Promise<string | undefined> {
    return this.change(workflow, (s) => {
      if (!s.active.includes(executionId)) return [undefined, undefined];
      const [next, ...rest] = s.queue;
      const active = s.active.filter((id) => id !== executionId);
      return next ? [{ active: [...active, next.executionId], queue: rest }, next.executionId] : [{ active, queue: rest }, undefined];
    });
  }

  async state(workflow: string): Promise<SlotState> {
    return (await this.records.get(workflow))?.value ?? { active: [], queue: [] };
  }

  /** Read, decide, compare-and-set: `decide` returns the next state (undefined: no write) and the answer. */
  private change<T>(workflow: string, decide: (s: SlotState) => readonly [SlotState | undefined, T]): Promise<T> {
    return this.records.decide(workflow, (current) => decide(current ?? { active: [], queue: [] }));
  }
}
