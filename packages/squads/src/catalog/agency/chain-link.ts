import { ExecutionIdSchema } from '@squadflow/shared';
import { z } from 'zod';

/**
 * Where an execution stands in a chain, carried in the context of every
 * handoff a chain starts (`handoff_chain`). The first handoff has none: it
 * is hop 0. The validate step drops it with every other unknown field, so
 * it never reaches the handoff's data.
 */
export const HandoffChainLinkSchema = z.strictObject({
  /** 1 for the handoff the first one started, and so on. */
  hop: z.number().int().min(1),
  /** The execution that began the chain (hop 0). */
  origin: ExecutionIdSchema,
  /** The execution whose `execute_handoff` started this one. */
  previous: ExecutionIdSchema,
});
export type HandoffChainLink = z.output<typeof HandoffChainLinkSchema>;

/** The context field that carries the link. */
export const HANDOFF_CHAIN_FIELD = 'handoff_chain';

/**
 * What `execute_handoff` did about the next handoff: started it (which
 * workflow, which execution), or why not.
 */
export const NextHandoffSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('started'), workflow: z.string(), execution_id: z.string(), hop: z.number().int() }),
  z.object({
    status: z.literal('not_started'),
    workflow: z.string(),
    reason: z.enum(['chaining_disabled', 'nothing_to_hand_on', 'max_hops']),
    detail: z.string(),
  }),
]);
export type NextHandoff = z.output<typeof NextHandoffSchema>;
