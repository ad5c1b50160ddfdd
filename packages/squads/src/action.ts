import type { Logger } from '@squadflow/shared';
import type { ZodType } from 'zod';

/** What a handler knows about the step attempt it is running, and how it talks back while it runs. */
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
  /**
   * Epoch ms at which this attempt is aborted: the earlier of the command's
   * deadline and the action's own `timeout`. Each heartbeat moves it out by
   * the attempt's original span, so read it again after heartbeating.
   */
  readonly deadline: number;
  /**
   * Aborts at `deadline` (reason: a `TimeoutError` DOMException) or when the
   * squad shuts down before the handler finished (an `AbortError`). Pass it
   * to fetch, timers and other cancellable work.
   */
  signal: AbortSignal;
  /** Child logger carrying executionId, step, attempt and action. */
  logger: Logger;
  /**
   * Tells the orchestrator this attempt is alive, optionally with a small
   * JSON progress value (shown as the step's `progress`). Each heartbeat
   * extends the step's timeout, like Temporal's activity heartbeats. Cheap to
   * call often: publications are throttled, the latest progress wins. Never throws.
   */
  heartbeat(progress?: unknown): void;
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

/** Normalises an `actions` record: bare handlers become definitions. */
export function normalizeActions(actions: Record<string, ActionDefinition | ActionHandler>): Record<string, ActionDefinition> {
  return Object.fromEntries(
    Object.entries(actions).map(([name, action]) => [name, typeof action === 'function' ? { handler: action } : action]),
  );
}
