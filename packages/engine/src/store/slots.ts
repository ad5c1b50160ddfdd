import { KvConflictError, type KvStore } from '@squadflow/transport';

interface Queued {
  executionId: string;
  priority: number;
  at: number;
}

interface SlotState {
  active: string[];
  queue: Queued[];
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/**
 * Places under a workflow's concurrency limit (`<p>_slots`, one key per
 * workflow): the executions running, and the queue of those waiting, highest
 * priority first, then oldest. Every change is a compare-and-set, so replicas
 * share one count; acquire and release are idempotent per execution id, so
 * re-performing them after a crash changes nothing.
 */
export class WorkflowSlots {
  constructor(private readonly kv: KvStore) {}

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
    const entry = await this.kv.get(workflow);
    return entry ? (JSON.parse(dec.decode(entry.value)) as SlotState) : { active: [], queue: [] };
  }

  private async change<T>(workflow: string, decide: (s: SlotState) => [SlotState | undefined, T]): Promise<T> {
    for (;;) {
      const entry = await this.kv.get(workflow);
      const state = entry ? (JSON.parse(dec.decode(entry.value)) as SlotState) : { active: [], queue: [] };
      const [next, result] = decide(state);
      if (!next) return result;
      try {
        if (entry) await this.kv.update(workflow, enc.encode(JSON.stringify(next)), entry.revision);
        else await this.kv.create(workflow, enc.encode(JSON.stringify(next)));
        return result;
      } catch (err) {
        if (!(err instanceof KvConflictError)) throw err;
      }
    }
  }
}
