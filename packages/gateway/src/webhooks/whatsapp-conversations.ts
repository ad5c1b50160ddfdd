/**
 * Which conversation execution a WhatsApp phone is in, so a message that
 * arrives while its conversation is between waits (the answer step still
 * running, `await_reply` not armed yet: `isWaiting` is false) joins that
 * conversation instead of starting a second one.
 *
 * One pointer per phone in KV (`<p>_wa_conv`, key `encodeToken(phone)`),
 * written by compare-and-set: of two gateway replicas deciding for one
 * phone at once, one claims the pointer for the execution it triggers and
 * the other, losing the compare-and-set, reads the claim and signals. The
 * pointer follows the conversation's handoffs (each reply completes the
 * execution and starts the next, idempotency key `then.<execution>.0`, whose
 * id the engine derives: `executionIdFor`), so no engine query is needed.
 */
import type { EngineClient, ExecutionView } from '@squadflow/engine';
import { executionIdFor } from '@squadflow/shared';
import { encodeToken, isTerminal } from '@squadflow/shared';
import { kvRecords, type KvRecords, type Transport } from '@squadflow/transport';
import { z } from 'zod';
import { LEDGER_TTL_MS } from './ledger.ts';

const PointerSchema = z.object({
  phone: z.string(),
  executionId: z.string(),
  /** Epoch ms of the claim, or of the handoff the pointer last followed. */
  since: z.number(),
});
type Pointer = z.output<typeof PointerSchema>;

/**
 * How long an execution named by the pointer may be missing and still count
 * as running: between a claim and the trigger's `pending` record, or between
 * a handoff and the next execution's creation (normally milliseconds; the
 * margin covers an orchestrator restart). After it, a missing execution means
 * the trigger never happened and the next message starts a conversation.
 */
export const MISSING_GRACE_MS = 120_000;
/** Handoffs followed at most in one look (the pointer moves to the newest, so this is rarely more than one). */
const MAX_HOPS = 50;

/** What a message for a phone with no armed wait should do. */
export type ConversationRoute = 'signal' | 'trigger';

export class ConversationPointers {
  private store?: Promise<KvRecords<Pointer>>;

  constructor(
    private readonly transport: Transport,
    private readonly bucket: string,
    private readonly client: EngineClient,
  ) {}

  /**
   * `signal` when the phone's conversation (of `workflow`) is still running;
   * else claims the pointer for `candidate` (the execution a trigger of this
   * message creates) and answers `trigger`. A claim for `candidate` itself
   * (a redelivery of the message that claimed it) answers `trigger` again.
   */
  async route(phone: string, workflow: string, candidate: string): Promise<ConversationRoute> {
    const records = await this.records();
    return records.decide(encodeToken(phone), async (current) => {
      const now = this.transport.clock.now();
      if (current?.executionId === candidate) return [undefined, 'trigger'] as const;
      const running = current ? await this.running(current, workflow, now) : null;
      if (!running) return [{ phone, executionId: candidate, since: now }, 'trigger'] as const;
      return [running.executionId === current!.executionId ? undefined : running, 'signal'] as const;
    });
  }

  /** The conversation the pointer leads to, following handoffs, if it has not ended; null otherwise. */
  private async running(pointer: Pointer, workflow: string, now: number): Promise<Pointer | null> {
    let { executionId, since } = pointer;
    for (let hop = 0; hop < MAX_HOPS; hop++) {
      const view = await this.client.getExecution(executionId);
      if (!view) return now - since < MISSING_GRACE_MS ? { ...pointer, executionId, since } : null;
      if (!isTerminal(view.status)) return { ...pointer, executionId, since };
      if (!handedOff(view)) return null;
      since = view.endedAt ?? view.updatedAt;
      executionId = executionIdFor(workflow, `then.${executionId}.0`);
    }
    return null;
  }

  private records(): Promise<KvRecords<Pointer>> {
    if (!this.store) {
      this.store = this.transport.kv(this.bucket, { ttlMs: LEDGER_TTL_MS }).then((kv) => kvRecords(kv, PointerSchema));
      this.store.catch(() => (this.store = undefined)); // retry opening on the next message
    }
    return this.store;
  }
}

/** A conversation that completed on a reply (a step's outcome `signal`) handed the reply to its next execution. */
const handedOff = (view: ExecutionView): boolean => view.status === 'completed' && view.steps.some((s) => s.outcome === 'signal');
