import type { Logger } from '@squadflow/shared';
import type { ZodType } from 'zod';

/** What a handler knows about the step attempt it is running. */
export interface ActionContext {
  executionId: string;
  workflow: string;
  step: string;
  /** 1 for the first attempt; a retry is a new attempt with a new idempotency key. */
  attempt: number;
  /** The command id (`<execution>.<step>.<attempt>[.c]`): stable across redeliveries of this attempt. */
  idempotencyKey: string;
  /** True when the orchestrator asks to undo the step (saga compensation). */
  compensation: boolean;
  /** Epoch ms after which the orchestrator no longer waits for this attempt. */
  deadline: number;
  /** Aborts at `deadline`; pass it to fetch, timers and other cancellable work. */
  signal: AbortSignal;
  /** Child logger carrying executionId, step and attempt. */
  logger: Logger;
}

/**
 * One action a squad offers. `input` and `output` are optional zod schemas:
 * invalid input is rejected before the handler runs (`INVALID_INPUT`), an
 * invalid result fails the step (`INVALID_OUTPUT`); both are non-retryable.
 */
export interface ActionDefinition<I = unknown, O = unknown> {
  input?: ZodType<I>;
  output?: ZodType<O>;
  handler(input: I, ctx: ActionContext): Promise<O> | O;
}

/** A bare handler is an action without schemas. */
export type ActionHandler = ActionDefinition['handler'];

/**
 * Identity helper that infers the handler's input type from the `input`
 * schema: `defineAction({ input: z.object({ ms: z.number() }), handler: (i) => i.ms })`.
 */
export function defineAction<I, O>(definition: ActionDefinition<I, O>): ActionDefinition<I, O> {
  return definition;
}

/** Normalises the `actions` option: bare handlers become definitions. */
export function normalizeActions(actions: Record<string, ActionDefinition | ActionHandler>): Map<string, ActionDefinition> {
  const out = new Map<string, ActionDefinition>();
  for (const [name, action] of Object.entries(actions)) {
    out.set(name, typeof action === 'function' ? { handler: action } : action);
  }
  return out;
}
