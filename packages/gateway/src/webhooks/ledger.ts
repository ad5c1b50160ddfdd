/**
 * Delivery ledger: webhook providers redeliver (Meta retries for days), and
 * JetStream's dedup window is minutes, so "processed once" needs a record per
 * delivery id in KV (`<prefix>_webhooks`, key `encodeToken(id)`), kept for
 * 30 days.
 *
 * The decision (signal this key / trigger that workflow) is written with a
 * KV `create` before it is carried out, so a replay conflicts and finds it:
 * - `done`: a duplicate, nothing happens;
 * - `processing` (a previous attempt died half-way, or runs right now): the
 *   same decision is carried out again, which is harmless because triggers
 *   carry an idempotency key and signals a signal id.
 * A decision the engine would refuse for its payload (nested too deeply,
 * over `maxContextBytes`) is refused before it is recorded: the record holds
 * the payload, and KV cannot store more than NATS's `max_payload`.
 */
import { KvConflictError, kvRecords, type KvRecords, type Transport } from '@squadflow/transport';
import { type EngineClient } from '@squadflow/engine';
import { encodeToken } from '@squadflow/shared';
import { z } from 'zod';

export const LEDGER_TTL_MS = 30 * 86_400_000;

const PlanSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('signal'), key: z.string(), data: z.unknown(), signalId: z.string().optional() }),
  z.object({
    action: z.literal('trigger'),
    workflow: z.string(),
    context: z.record(z.string(), z.unknown()),
    idempotencyKey: z.string().optional(),
  }),
]);
/** What a delivery turns into. */
export type DeliveryPlan = z.output<typeof PlanSchema>;

const RecordSchema = z.object({
  state: z.enum(['processing', 'done']),
  plan: PlanSchema,
  receivedAt: z.number(),
  result: z.object({ executionId: z.string().optional(), signalId: z.string().optional() }).optional(),
});
type DeliveryRecord = z.output<typeof RecordSchema>;

export interface DeliveryOutcome {
  duplicate: boolean;
  plan: DeliveryPlan;
  result?: { executionId?: string; signalId?: string };
}

export class DeliveryLedger {
  private store?: Promise<KvRecords<DeliveryRecord>>;

  constructor(
    private readonly transport: Transport,
    private readonly bucket: string,
    private readonly client: EngineClient,
  ) {}

  /**
   * Processes delivery `id` once: `decide` runs only for a new id; `perform`
   * carries the plan out (again, for a delivery that did not finish).
   */
  async once(
    id: string,
    decide: () => Promise<DeliveryPlan>,
    perform: (plan: DeliveryPlan) => Promise<DeliveryOutcome['result']>,
  ): Promise<DeliveryOutcome> {
    const records = await this.records();
    const key = encodeToken(id);
    let plan: DeliveryPlan;
    const existing = (await records.get(key))?.value;
    if (existing?.state === 'done')
      return { duplicate: true, plan: existing.plan, ...(existing.result ? { result: existing.result } : {}) };
    if (existing) plan = existing.plan;
    else {
      plan = await decide();
      checkPlan(this.client, plan);
      const record: DeliveryRecord = { state: 'processing', plan, receivedAt: this.transport.clock.now() };
      try {
        await records.create(key, record);
      } catch (err) {
        if (!(err instanceof KvConflictError)) throw err;
        const raced = (await records.get(key))?.value; // a concurrent delivery of the same id decided first: follow it
        if (raced?.state === 'done') return { duplicate: true, plan: raced.plan };
        if (raced) plan = raced.plan;
      }
    }
    const result = await perform(plan);
    const done: DeliveryRecord = {
      state: 'done',
      plan,
      receivedAt: existing?.receivedAt ?? this.transport.clock.now(),
      ...(result ? { result } : {}),
    };
    await records.put(key, done);
    return { duplicate: false, plan, ...(result ? { result } : {}) };
  }

  private records(): Promise<KvRecords<DeliveryRecord>> {
    if (!this.store) {
      this.store = this.transport.kv(this.bucket, { ttlMs: LEDGER_TTL_MS }).then((kv) => kvRecords(kv, RecordSchema));
      this.store.catch(() => (this.store = undefined)); // retry opening on the next delivery
    }
    return this.store;
  }
}

/** Throws what the engine would throw for the plan's payload (the signal data or the trigger context). */
function checkPlan(client: EngineClient, plan: DeliveryPlan): void {
  if (plan.action === 'signal') client.checkPayload(plan.data, 'data');
  else client.checkPayload(plan.context, 'context');
}

/** Carries a plan out; with a signal id / idempotency key, doing it twice is harmless. */
export async function performPlan(client: EngineClient, plan: DeliveryPlan): Promise<{ executionId?: string; signalId?: string }> {
  if (plan.action === 'signal') {
    return { signalId: await client.signal(plan.key, plan.data, plan.signalId ? { signalId: plan.signalId } : {}) };
  }
  return {
    executionId: await client.trigger(plan.workflow, plan.context, plan.idempotencyKey ? { idempotencyKey: plan.idempotencyKey } : {}),
  };
}
