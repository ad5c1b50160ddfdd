import { z, type ZodType } from 'zod';
import type { SquadAction } from '../../define-squad.ts';

/** A catalog action: unlike a bare `SquadAction`, schemas on both sides and a description are required. */
export interface CatalogAction<I, O> extends SquadAction<I, O> {
  input: ZodType<I>;
  output: ZodType<O>;
  description: string;
}

/** Identity helper that infers the handler's types from the schemas and enforces the catalog's rules. */
export function catalogAction<I, O>(definition: CatalogAction<I, O>): CatalogAction<I, O> {
  return definition;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Wraps the input schema of a compensating action so it accepts both a flat
 * input (`{ campaign_id }`) and the engine's default compensation input
 * `{ context, output }`, where `output` is the undone step's output. So a
 * workflow can declare `compensate: { action: 'stop_campaign' }` without a
 * mapping. Fields given next to `output` win over the output's own.
 */
export function acceptStepOutput<S extends ZodType>(schema: S): z.ZodPreprocess<S, unknown> {
  return z.preprocess((value) => {
    if (!isRecord(value) || !isRecord(value['output'])) return value;
    const { output, context: _context, ...rest } = value;
    return { ...(output as Record<string, unknown>), ...rest };
  }, schema);
}
