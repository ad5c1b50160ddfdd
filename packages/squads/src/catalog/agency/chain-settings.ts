import { SquadflowError, toFieldIssues } from '@squadflow/shared';
import { z } from 'zod';
import { HANDOFF_CHAIN } from './common.ts';

/**
 * How far one chain may go: a chain is a cycle (feedback → offer → marketing
 * ...), so besides the data conditions (`handoffNextWhen`) a hop count stops
 * it. The default is one lap: the handoff a chain started with runs again at
 * most once (feedback's refined offer going back to marketing), then it stops.
 */
export const DEFAULT_HANDOFF_MAX_HOPS = HANDOFF_CHAIN.length;

/** Whether `execute_handoff` starts the next handoff, and how many hops a chain may take. */
export interface HandoffChainSettings {
  enabled: boolean;
  /** Handoffs a chain may start after the one a person or service triggered. 0: none. */
  maxHops: number;
}

const BOOLEAN = { true: true, false: false, '1': true, '0': false, yes: true, no: false, on: true, off: false } as const;

/**
 * The agency squad's environment (the squad process and `squadflow start`):
 *
 * | variable | meaning | default |
 * |---|---|---|
 * | SQUADFLOW_CHAIN_HANDOFFS | `execute_handoff` starts the next handoff's workflow (`true`/`false`, also `1`/`0`, `yes`/`no`, `on`/`off`) | true |
 * | SQUADFLOW_HANDOFF_MAX_HOPS | handoffs one chain may start after the first (the loop guard) | 5 |
 */
export const AgencyEnvSchema = z.object({
  SQUADFLOW_CHAIN_HANDOFFS: z
    .enum(Object.keys(BOOLEAN) as [keyof typeof BOOLEAN, ...(keyof typeof BOOLEAN)[]], {
      error: 'expected true or false (also 1/0, yes/no, on/off)',
    })
    .transform((v) => BOOLEAN[v])
    .default(true),
  SQUADFLOW_HANDOFF_MAX_HOPS: z.coerce.number().int().min(0).max(1000).default(DEFAULT_HANDOFF_MAX_HOPS),
});

/** Reads the chain settings; throws `INVALID_CONFIG` naming each variable at fault. An empty variable counts as unset. */
export function readHandoffChainSettings(env: Record<string, string | undefined> = process.env): HandoffChainSettings {
  const cleaned = Object.fromEntries(
    Object.entries(env)
      .filter(([k, v]) => k in AgencyEnvSchema.shape && v !== undefined && v !== '')
      .map(([k, v]) => [k, k === 'SQUADFLOW_CHAIN_HANDOFFS' ? v!.trim().toLowerCase() : v]),
  );
  const parsed = AgencyEnvSchema.safeParse(cleaned);
  if (!parsed.success) throw new SquadflowError('INVALID_CONFIG', 'invalid agency squad environment', toFieldIssues(parsed.error.issues));
  return { enabled: parsed.data.SQUADFLOW_CHAIN_HANDOFFS, maxHops: parsed.data.SQUADFLOW_HANDOFF_MAX_HOPS };
}
