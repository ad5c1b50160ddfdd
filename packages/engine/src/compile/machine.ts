import { setup } from 'xstate';
import { compensationActions, compensationGuards, compensatingState } from './compensation-state.ts';
import { emit, lifecycle, releaseAll } from './context-ops.ts';
import { linkActions, linkGuards, reopenedState } from './execution-links.ts';
import { own } from './draft.ts';
import { internalEvent } from './events.ts';
import { act, raiseInternal, type Ctx, type GuardArgs } from './machine-kit.ts';
import type { MachineActions, MachineGuards, MachineState } from './machine-names.ts';
import type { WorkflowPlan } from './plan.ts';
import { commonActions, commonGuards } from './steps/common.ts';
import { kindImplementations, STEP_KINDS, type StepPlan } from './steps/index.ts';
import type { Plans } from './steps/kind.ts';
import { stepRegion } from './steps/region.ts';
import { isTaskPlan } from './steps/task.ts';
import { isWorkflowPlan } from './steps/workflow.ts';
import type { ExecutionContext, LifecycleKind, MachineEvent, MachineInput, StepRecord } from './types.ts';

/** The execution-level guards: pause, and how the parallel `running` state ends. */
export function rootGuards(plans: Plans) {
  return {
    isPaused: ({ context }: GuardArgs) => context.paused === true,
    notPaused: ({ context }: GuardArgs) => context.paused !== true,
    shouldCompensate: ({ context }: GuardArgs) => context.failure?.onError === 'compensate' && context.completed.some(plans.compensable),
    compensateNothing: ({ context }: GuardArgs) => context.failure?.onError === 'compensate',
    hasFailed: ({ context }: GuardArgs) => context.failure !== undefined,
  };
}

/** The execution-level actions: start, pause and resume, cancel, and the terminal states' releases. */
export function rootActions(plan: WorkflowPlan) {
  const finish = (type: LifecycleKind) =>
    act((ctx: Ctx) =>
      // The duration rides on the event, so metrics observe it without reading the record.
      lifecycle(
        { ...(plan.concurrencyLimit ? emit(releaseAll(ctx), { kind: 'slot.release' }) : releaseAll(ctx)), endedAt: ctx.now },
        type,
        undefined,
        {
          durationMs: ctx.now - ctx.startedAt,
        },
      ),
    );
  return {
    started: act((ctx) => lifecycle(ctx, 'execution.started')),
    pause: act((ctx, e) =>
      lifecycle({ ...ctx, paused: true }, 'execution.paused', undefined, e.type === 'pause' && e.reason ? { reason: e.reason } : undefined),
    ),
    resume: act((ctx) => emit(lifecycle({ ...ctx, paused: false }, 'execution.resumed'), { kind: 'timers.resume' })),
    raiseResumed: raiseInternal(internalEvent.resumed),
    setCancelReason: act((ctx, e) => ({ ...ctx, ...(e.type === 'cancel' && e.reason ? { cancelReason: e.reason } : {}) })),
    finishCompleted: finish('execution.completed'),
    finishFailed: finish('execution.failed'),
    finishCompensated: finish('execution.compensated'),
    finishCancelled: finish('execution.cancelled'),
  };
}

/** Plans by step name for the guards and actions (which get the step name as a param). */
function plansOf(plan: WorkflowPlan): Plans {
  const step = (name: string): StepPlan => plan.steps.get(name)!;
  return {
    step,
    of: (name, owns) => {
      const found = step(name);
      if (!owns(found)) throw new Error(`step "${name}" is a ${found.type} step`);
      return found;
    },
    compensable: (name) => {
      const found = step(name);
      // A completed child compensates by running its own saga (docs/child-workflows.md).
      return (isTaskPlan(found) && found.compensate !== undefined) || (isWorkflowPlan(found) && found.compensate);
    },
  };
}

/** Builds the XState machine of one workflow version. Called once per registration. */
export function buildMachine(plan: WorkflowPlan) {
  const plans = plansOf(plan);
  const kinds = kindImplementations(plans);
  const guards: MachineGuards = {
    ...rootGuards(plans),
    ...compensationGuards(plans),
    ...commonGuards(plans),
    ...linkGuards(plans),
    ...kinds.guards,
  };
  const actions: MachineActions = {
    ...rootActions(plan),
    ...compensationActions(plans),
    ...commonActions(plans),
    ...linkActions(),
    ...kinds.actions,
  };
  const regions: Record<string, MachineState> = {};
  for (const name of plan.order) {
    const step = plans.step(name);
    regions[name] = stepRegion(step, STEP_KINDS[step.type]);
  }
  return setup({ types: {} as { context: Ctx; events: MachineEvent; input: MachineInput }, guards, actions }).createMachine({
    id: 'workflow',
    context: ({ input }) => initialContext(plan, input),
    entry: ['started'],
    initial: 'running',
    on: {
      cancel: { target: '.cancelled', actions: ['setCancelReason'] },
      pause: { guard: 'notPaused', actions: ['pause'] },
      resume: { guard: 'isPaused', actions: ['resume', 'raiseResumed'] },
      watch: { actions: ['addWatcher'] },
    },
    states: {
      running: {
        type: 'parallel',
        states: regions,
        onDone: [
          { guard: 'shouldCompensate', target: 'compensating' },
          { guard: 'compensateNothing', target: 'compensated' },
          { guard: 'hasFailed', target: 'failed' },
          { target: 'completed' },
        ],
      },
      compensating: compensatingState(),
      reopened: reopenedState(),
      completed: { type: 'final', entry: ['finishCompleted'] },
      failed: { type: 'final', entry: ['finishFailed'] },
      compensated: { type: 'final', entry: ['finishCompensated'] },
      cancelled: { type: 'final', entry: ['finishCancelled'] },
    },
  });
}

export type WorkflowMachine = ReturnType<typeof buildMachine>;

function initialContext(plan: WorkflowPlan, input: MachineInput): ExecutionContext {
  // Built by this transition (the execution's first): entering every region updates them in place (draft.ts).
  const steps: Record<string, StepRecord> = own({});
  for (const name of plan.order)
    steps[name] = { status: plan.steps.get(name)!.deps.length ? 'blocked' : 'evaluating', attempt: 0, attempts: [] };
  return {
    executionId: input.executionId,
    workflow: input.workflow,
    version: input.version,
    input: input.input,
    steps,
    completed: own([]),
    timers: own([]),
    waits: own([]),
    outbox: own([]),
    now: input.at,
    startedAt: input.at,
    ...(input.priority === undefined ? {} : { priority: input.priority }),
    ...(input.parent ? { parent: { executionId: input.parent.executionId, step: input.parent.step } } : {}),
    ...(input.parent || input.watchers?.length
      ? { watchers: [...(input.parent ? [{ ...input.parent, mode: 'child' as const }] : []), ...(input.watchers ?? [])] }
      : {}),
  };
}
