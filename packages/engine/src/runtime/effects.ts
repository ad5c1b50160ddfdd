import {
  lifecycleCodec,
  StepErrorCode,
  stepCommandCodec,
  TRACEPARENT,
  stepReplyCodec,
  triggerCodec,
  type LifecycleType,
  type Logger,
  type Names,
  type StepError,
} from '@squadflow/shared';
import type { Effect, ExecutionContext } from '../compile/index.ts';
import { PayloadTooLargeError, type Transport } from '@squadflow/transport';
import type { WaitIndex } from '../store/waits.ts';
import type { CircuitBreakers } from '../breakers/circuit-breakers.ts';
import type { ExecutionStore } from '../store/execution-store.ts';
import type { WorkflowSlots } from '../store/slots.ts';
import type { DispatchGate } from './dispatch-gate.ts';
import type { TimerService } from '../timers/timer-service.ts';
import { isLinkEffect, performLinkEffect } from './link-effects.ts';
import { commandTraceHeaders, executionTraceHeaders, type ExecutionTrace } from '../tracing/execution-trace.ts';

export interface EffectDeps {
  transport: Transport;
  names: Names;
  timers: TimerService;
  waits: WaitIndex;
  breakers: CircuitBreakers;
  slots: WorkflowSlots;
  gate: DispatchGate;
  executions: ExecutionStore;
  logger: Logger;
  /** Lifecycle types not published (the deployment turned them off: `OrchestratorOptions.stepProgressEvents`). */
  silenced?: ReadonlySet<LifecycleType>;
  /** Called after a wait is registered, to deliver a signal that came just before (lookback). */
  afterWaitRegistered(executionId: string, key: string, step: string, since: number): void;
}

/**
 * Performs what a transition recorded, after the snapshot is persisted. Every
 * effect is idempotent by its deterministic id, so performing the same outbox
 * twice (after a crash, on a redelivered event, or when an actor restored
 * from KV replays its outbox: `replay`) changes nothing. Effects of
 * one event run concurrently (pipelined publishes), and `timer.start` /
 * `wait.register` are re-checked against what the context still holds armed.
 */
export async function performEffects(
  deps: EffectDeps,
  ctx: ExecutionContext,
  effects: readonly Effect[],
  options: PerformOptions = {},
): Promise<void> {
  await Promise.all(
    effects.map((effect) =>
      // A replayed timer start that this process holds armed (or is firing) is already in place: arming it again
      // would only store it again, and a timer being fired would fire twice.
      options.replay && effect.kind === 'timer.start' && deps.timers.holds(effect.id)
        ? undefined
        : performOne(deps, ctx, effect, options.trace),
    ),
  );
}

export interface PerformOptions {
  /** An actor restored from KV replays its outbox. */
  replay?: boolean;
  /** Set while tracing is on: commands and handoffs carry the execution's trace context in their headers. */
  trace?: ExecutionTrace;
}

async function performOne(deps: EffectDeps, ctx: ExecutionContext, effect: Effect, trace: ExecutionTrace | undefined): Promise<void> {
  const { names: n } = deps;
  if (isLinkEffect(effect)) return performLinkEffect(deps, ctx, effect);
  switch (effect.kind) {
    case 'dispatch':
      if (effect.breaker) {
        const admission = await deps.breakers.admit(effect.squad, effect.action, effect.id, effect.breaker);
        if (!admission.allowed) return refuse(deps, ctx, effect, admission.retryAfterMs);
      }
      return deps.gate.submit(effect.squad, effect.id, effect.priority ?? 5, () =>
        deps.transport.streams
          .publish(
            n.command(effect.squad, effect.action),
            stepCommandCodec.encode({
              id: effect.id,
              executionId: ctx.executionId,
              workflow: ctx.workflow,
              step: effect.step,
              attempt: effect.attempt,
              squad: effect.squad,
              action: effect.action,
              compensation: effect.compensation,
              input: effect.input,
              deadline: effect.deadline,
            }),
            trace ? { msgId: effect.id, headers: commandTraceHeaders(trace, effect.id) } : { msgId: effect.id },
          )
          .catch((err: unknown) => {
            // Measured by the transport on the bytes it was handed: a command it can never send fails its attempt.
            if (!(err instanceof PayloadTooLargeError)) throw err;
            return answer(deps, ctx, effect, {
              message: `the step command is ${err.bytes} bytes, over the transport's ${err.limit}-byte limit`,
              code: StepErrorCode.PAYLOAD_TOO_LARGE,
              retryable: false,
            });
          }),
      );
    case 'timer.start':
      if (!ctx.timers.includes(effect.id)) return;
      return deps.timers.arm({
        kind: 'timer',
        id: effect.id,
        executionId: ctx.executionId,
        step: effect.step,
        attempt: effect.attempt,
        timer: effect.timer,
        dueAt: effect.dueAt,
      });
    case 'timer.cancel':
      return deps.timers.cancel(effect.id);
    case 'slot.release':
      return releaseSlot(deps, ctx.workflow, ctx.executionId);
    case 'timers.resume':
      await Promise.all(ctx.timers.map((id) => deps.timers.reload(id)));
      return;
    case 'wait.register':
      if (!ctx.waits.some((w) => w.key === effect.key && w.step === effect.step)) return;
      await deps.waits.register(effect.key, { executionId: ctx.executionId, step: effect.step, purpose: effect.purpose });
      if (effect.purpose === 'wait' && effect.since !== undefined)
        deps.afterWaitRegistered(ctx.executionId, effect.key, effect.step, effect.since);
      return;
    case 'wait.unregister':
      return deps.waits.unregister(effect.key, ctx.executionId, effect.step);
    case 'lifecycle':
      return publishLifecycle(deps, ctx, effect);
    case 'trigger':
      return deps.transport.streams
        .publish(
          n.trigger(effect.workflow),
          triggerCodec.encode({
            kind: 'trigger',
            workflow: effect.workflow,
            context: effect.context,
            idempotencyKey: effect.idempotencyKey,
            requestedAt: ctx.now,
          }),
          {
            msgId: `trigger.${effect.idempotencyKey}`,
            ...(trace ? { headers: executionTraceHeaders(trace) } : {}),
          },
        )
        .catch((err: unknown) => unsendable(deps, err, ctx, `handoff to ${effect.workflow}`));
    case 'evaluate':
      return; // resolved inside the transition loop, before persisting
  }
}

/** Where an execution stands, for the effects that do not need its whole context. */
export type ExecutionRef = Pick<ExecutionContext, 'executionId' | 'workflow' | 'version' | 'now'>;

/**
 * Publishes a lifecycle event (its id deduplicates a republication), unless
 * its type is silenced. One too large to send is logged and skipped.
 */
export function publishLifecycle(deps: EffectDeps, ctx: ExecutionRef, effect: Extract<Effect, { kind: 'lifecycle' }>): Promise<void> {
  // Still recorded in the outbox (the machine stays pure): only its publication is left out.
  if (deps.silenced?.has(effect.type)) return Promise.resolve();
  return deps.transport.streams
    .publish(
      deps.names.lifecycle(ctx.workflow, effect.type),
      lifecycleCodec.encode({
        id: effect.id,
        type: effect.type,
        executionId: ctx.executionId,
        workflow: ctx.workflow,
        version: ctx.version,
        ...(effect.step ? { step: effect.step } : {}),
        at: ctx.now,
        ...(effect.data === undefined ? {} : { data: effect.data }),
      }),
      { msgId: effect.id },
    )
    .catch((err: unknown) => unsendable(deps, err, ctx, `lifecycle event ${effect.type}`));
}

/** Frees an ended execution's place under its workflow's concurrency limit and starts the queued execution that takes it. */
export async function releaseSlot(deps: EffectDeps, workflow: string, executionId: string): Promise<void> {
  const next = await deps.slots.release(workflow, executionId);
  const queued = next === undefined ? null : await deps.executions.read(next);
  if (!queued) return;
  const r = queued.record;
  // The queued execution's own trigger, again: the orchestrator finds it already holds a place and starts it.
  return deps.transport.streams.publish(
    deps.names.trigger(r.workflow),
    triggerCodec.encode({
      kind: 'trigger',
      workflow: r.workflow,
      executionId: r.executionId,
      context: r.context,
      ...(r.version ? { version: r.version } : {}),
      ...(r.idempotencyKey ? { idempotencyKey: r.idempotencyKey } : {}),
      ...(r.priority === undefined ? {} : { priority: r.priority }),
    }),
    { msgId: `trigger.${r.executionId}.slot`, ...(r.trace ? { headers: { [TRACEPARENT]: r.trace } } : {}) },
  );
}

/**
 * A message no retry can ever send (over the transport's max payload) must
 * not hold back the effects after it, nor fail the event forever: it is
 * logged and skipped. Any other failure is thrown (the event is retried).
 */
function unsendable(deps: EffectDeps, err: unknown, ctx: ExecutionRef, what: string): void {
  if (!(err instanceof PayloadTooLargeError)) throw err;
  deps.logger.error({ err, executionId: ctx.executionId, workflow: ctx.workflow }, `${what} is too large to publish; skipped`);
}

/**
 * An open circuit breaker answers for the squad: a failed reply on the
 * inbound stream, as if the squad had refused, so the machine handles it
 * like any failure (retry after `retryAfterMs` when the policy waits; the
 * step's onError when it fails fast).
 */
function refuse(
  deps: EffectDeps,
  ctx: ExecutionContext,
  effect: Extract<Effect, { kind: 'dispatch' }>,
  retryAfterMs: number,
): Promise<void> {
  const wait = effect.breaker!.whileOpen === 'wait';
  return answer(deps, ctx, effect, {
    message: `circuit breaker open for ${effect.squad}.${effect.action}`,
    code: StepErrorCode.CIRCUIT_OPEN,
    retryable: wait,
    ...(wait ? { retryAfterMs } : {}),
  });
}

/** Answers a command that never reaches its squad with a failed reply, under the id the squad's reply would have. */
function answer(deps: EffectDeps, ctx: ExecutionContext, effect: Extract<Effect, { kind: 'dispatch' }>, error: StepError): Promise<void> {
  return deps.transport.streams.publish(
    deps.names.reply(ctx.executionId),
    stepReplyCodec.encode({
      kind: 'reply',
      commandId: effect.id,
      executionId: ctx.executionId,
      step: effect.step,
      attempt: effect.attempt,
      compensation: effect.compensation,
      ok: false,
      error,
    }),
    { msgId: `${effect.id}.reply` },
  );
}
