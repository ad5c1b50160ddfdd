import { controlCodec, stepReplyCodec, triggerCodec, type StepError } from '@squadflow/shared';
import { commandId } from '../compile/ids.ts';
import type { Effect, ExecutionContext, Watcher } from '../compile/index.ts';
import type { EffectDeps } from './effects.ts';

/**
 * The effects that link executions (docs/child-workflows.md): start, cancel
 * or compensate a child, ask another execution to tell a wait when it ends,
 * and tell a watcher that this execution ended. Each message carries an id
 * derived from the parent or watcher step's attempt, so a replayed outbox
 * publishes nothing twice within the dedup window, and the receiver ignores
 * what it already applied (a started child, a recorded watcher, a stale reply).
 */
export type LinkEffect = Extract<Effect, { kind: 'child.start' | 'child.cancel' | 'child.compensate' | 'watch' | 'notify' }>;

export function isLinkEffect(effect: Effect): effect is LinkEffect {
  return (
    effect.kind === 'child.start' ||
    effect.kind === 'child.cancel' ||
    effect.kind === 'child.compensate' ||
    effect.kind === 'watch' ||
    effect.kind === 'notify'
  );
}

/** What a link effect needs of its execution. */
export type LinkSource = Pick<ExecutionContext, 'executionId' | 'now' | 'priority'>;

export async function performLinkEffect(deps: EffectDeps, ctx: LinkSource, effect: LinkEffect): Promise<void> {
  const { names: n, transport } = deps;
  const watcher = (step: string, attempt: number) => ({ executionId: ctx.executionId, step, attempt });
  switch (effect.kind) {
    case 'child.start':
      return transport.streams.publish(
        n.trigger(effect.workflow),
        triggerCodec.encode({
          kind: 'trigger',
          workflow: effect.workflow,
          executionId: effect.childId,
          context: effect.input as Record<string, unknown>,
          parent: watcher(effect.step, effect.attempt),
          requestedAt: ctx.now,
          ...(effect.version === undefined ? {} : { version: effect.version }),
          ...(ctx.priority === undefined ? {} : { priority: ctx.priority }),
        }),
        { msgId: `trigger.${effect.childId}` },
      );
    case 'child.cancel':
      return control(deps, {
        kind: 'control',
        controlId: `cancel.${effect.childId}`,
        executionId: effect.childId,
        action: 'cancel',
        reason: `parent ${ctx.executionId} stopped waiting for step "${effect.step}"`,
      });
    case 'child.compensate':
      return control(deps, {
        kind: 'control',
        controlId: `compensate.${effect.childId}.${effect.attempt}`,
        executionId: effect.childId,
        action: 'compensate',
        watcher: watcher(effect.step, effect.attempt),
      });
    case 'watch':
      return control(deps, {
        kind: 'control',
        controlId: `watch.${ctx.executionId}.${effect.step}.${effect.attempt}`,
        executionId: effect.target,
        action: 'watch',
        watcher: watcher(effect.step, effect.attempt),
      });
    case 'notify':
      return notifyWatcher(deps, ctx.executionId, effect.watcher, { status: effect.status, output: effect.output, error: effect.error });
  }
}

function control(deps: EffectDeps, message: Parameters<typeof controlCodec.encode>[0]): Promise<void> {
  return deps.transport.streams.publish(deps.names.control(message.executionId), controlCodec.encode(message), {
    msgId: `control.${message.controlId}`,
  });
}

/** How an execution ended, as its watchers are told. */
export interface EndOfExecution {
  /** A terminal status, or `missing` (no such execution). */
  status: string;
  output?: unknown;
  error?: { code: string; message: string } | undefined;
}

/**
 * Tells a watcher that `executionId` ended: a reply to the watcher step's
 * attempt. A parent step succeeds when its child completed; a compensation
 * attempt when the child compensated; a wait step gets the status and output.
 */
export function notifyWatcher(deps: EffectDeps, executionId: string, w: Watcher, end: EndOfExecution): Promise<void> {
  const compensation = w.mode === 'compensation';
  const ok = end.status === (compensation ? 'compensated' : 'completed');
  const summary = {
    executionId,
    status: end.status,
    ...(end.output === undefined ? {} : { output: end.output }),
    ...(end.error ? { error: end.error } : {}),
  };
  const output = w.mode === 'wait' ? summary : ok ? end.output : undefined;
  const error: StepError | undefined = ok
    ? undefined
    : {
        message: `execution ${executionId} ended ${end.status}${end.error ? `: ${end.error.message}` : ''}`,
        code: w.mode === 'wait' ? 'EXECUTION_NOT_COMPLETED' : 'CHILD_FAILED',
        retryable: w.mode === 'child',
      };
  const id = commandId(w.executionId, w.step, w.attempt, compensation);
  return deps.transport.streams.publish(
    deps.names.reply(w.executionId),
    stepReplyCodec.encode({
      kind: 'reply',
      commandId: id,
      executionId: w.executionId,
      step: w.step,
      attempt: w.attempt,
      compensation,
      ok,
      ...(output === undefined ? {} : { output }),
      ...(error ? { error } : {}),
    }),
    { msgId: `${id}.ended.${executionId}` },
  );
}
