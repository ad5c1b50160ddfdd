import { lifecycleCodec, StepErrorCode, stepCommandCodec, stepReplyCodec, triggerCodec, type Logger, type Names } from '@squadflow/shared';
import type { Effect, ExecutionContext } from '../compile/index.ts';
import type { Transport } from '@squadflow/transport';
import type { WaitIndex } from '../store/waits.ts';
import type { CircuitBreakers } from '../breakers/circuit-breakers.ts';
import type { ExecutionStore } from '../store/execution-store.ts';
import type { WorkflowSlots } from '../store/slots.ts';
import type { DispatchGate } from './dispatch-gate.ts';
import type { TimerService } from '../timers/timer-service.ts';

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
  options: { replay?: boolean } = {},
): Promise<void> {
  await Promise.all(
    effects.map((effect) =>
      // A replayed timer start that this process holds armed (or is firing) is already in place: arming it again
      // would only store it again, and a timer being fired would fire twice.
      options.replay && effect.kind === 'timer.start' && deps.timers.holds(effect.id) ? undefined : performOne(deps, ctx, effect),
    ),
  );
}

async function performOne(deps: EffectDeps, ctx: ExecutionContext, effect: Effect): Promise<void> {
  const { names: n } = deps;
  switch (effect.kind) {
    case 'dispatch':
      if (effect.breaker) {
        const admission = await deps.breakers.admit(effect.squad, effect.action, effect.id, effect.breaker);
        if (!admission.allowed) return refuse(deps, ctx, effect, admission.retryAfterMs);
      }
      return deps.gate.submit(effect.squad, effect.id, effect.priority ?? 5, () =>
        deps.transport.streams.publish(
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
          { msgId: effect.id },
        ),
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
    case 'slot.release': {
      const next = await deps.slots.release(ctx.workflow, ctx.executionId);
      const queued = next === undefined ? null : await deps.executions.read(next);
      if (!queued) return;
      const r = queued.record;
      // The queued execution's own trigger, again: the orchestrator finds it already holds a place and starts it.
      return deps.transport.streams.publish(
        n.trigger(r.workflow),
        triggerCodec.encode({
          kind: 'trigger',
          workflow: r.workflow,
          executionId: r.executionId,
          context: r.context,
          ...(r.version ? { version: r.version } : {}),
          ...(r.idempotencyKey ? { idempotencyKey: r.idempotencyKey } : {}),
          ...(r.priority === undefined ? {} : { priority: r.priority }),
        }),
        { msgId: `trigger.${r.executionId}.slot` },
      );
    }
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
      return deps.transport.streams.publish(
        n.lifecycle(ctx.workflow, effect.type),
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
      );
    case 'trigger':
      return deps.transport.streams.publish(
        n.trigger(effect.workflow),
        triggerCodec.encode({
          kind: 'trigger',
          workflow: effect.workflow,
          context: effect.context,
          idempotencyKey: effect.idempotencyKey,
          requestedAt: ctx.now,
        }),
        { msgId: `trigger.${effect.idempotencyKey}` },
      );
    case 'evaluate':
      return; // resolved inside the transition loop, before persisting
  }
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
      error: {
        message: `circuit breaker open for ${effect.squad}.${effect.action}`,
        code: StepErrorCode.CIRCUIT_OPEN,
        retryable: wait,
        ...(wait ? { retryAfterMs } : {}),
      },
    }),
    { msgId: `${effect.id}.reply` },
  );
}
