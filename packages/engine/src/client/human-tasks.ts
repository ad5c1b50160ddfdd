/**
 * Human tasks as an inbox: the human steps waiting for a decision right now,
 * and the decision delivered to one of them. A decision is a signal on the
 * task's key (compile/steps/human.ts), so the step's output, which later
 * steps read as `$steps.<name>`, is the decision object.
 */
import { ExecutionIdSchema, isTerminal, SquadflowError, toFieldIssues, type StepStatus, type WorkflowDefinition } from '@squadflow/shared';
import { z } from 'zod';
import type { CompiledWorkflow } from '../compile/index.ts';
import type { ExecutionPage, ListExecutionsFilter } from './execution-listing.ts';
import type { ExecutionView, StepView } from './execution-view.ts';
import { type HumanPlan } from '../compile/steps/human.ts';

/** One human step waiting for a decision. */
export interface HumanTask {
  executionId: string;
  workflow: string;
  version?: number;
  step: string;
  title?: string;
  /** Who is asked now (the escalation target once the task escalated). */
  assignee: string;
  /** Escalations so far (0: the first assignee). */
  escalationLevel: number;
  /** Everyone asked so far, in order: the first assignee, then each escalation's target (the step record's chain). */
  escalationChain: string[];
  startedAt: number;
  /** When the task times out (its `timeout`), if it has one. */
  dueAt?: number;
  /** When the next escalation fires, if one is left. */
  nextEscalationAt?: number;
  /** The correlation key a decision is delivered on (`POST /v1/signals/{key}` works too). */
  signalKey: string;
}

export interface HumanTaskFilter {
  assignee?: string;
  workflow?: string;
  /** At most this many tasks (default 100, at most 1,000). */
  limit?: number;
}

/** What a person decided; becomes the step's output. */
export const HumanDecisionSchema = z.strictObject({
  decision: z.enum(['approve', 'reject']),
  comment: z.string().max(10_000).optional(),
  data: z.record(z.string(), z.unknown()).optional(),
});
export type HumanDecision = z.output<typeof HumanDecisionSchema>;

/** Step statuses after which a task takes no decision. */
const DECIDED = new Set<StepStatus>(['completed', 'skipped', 'failed', 'compensated']);

/** The step output a decision gives: `$steps.<name>.approved` is what conditions read. */
export interface HumanDecisionOutput extends HumanDecision {
  approved: boolean;
  /** The principal that decided (the API token's name), or `anonymous` without authentication. */
  by: string;
}

/** What the inbox needs from the engine client. */
export interface HumanTaskSource {
  listWorkflowNames(): Promise<string[]>;
  getWorkflow(name: string): Promise<WorkflowDefinition>;
  getCompiledWorkflow(name: string, version?: number): Promise<CompiledWorkflow>;
  pageExecutions(filter: ListExecutionsFilter): Promise<ExecutionPage>;
  getExecution(executionId: string): Promise<ExecutionView | null>;
  signal(key: string, data: unknown, options: { signalId: string }): Promise<string>;
}

const PAGE = 200;
/** A human task can be open while another step runs in parallel (the execution is then `running`). */
const OPEN: ListExecutionsFilter['status'] = ['waiting', 'running'];

/**
 * The open human tasks, newest execution first. Read from the listing index:
 * only executions `waiting` or `running`, only of workflows whose latest
 * version has a human step, and their records page by page until `limit`
 * tasks are found. Cost: one record read per active execution of those
 * workflows (not per stored execution).
 */
export async function listHumanTasks(source: HumanTaskSource, filter: HumanTaskFilter = {}): Promise<HumanTask[]> {
  const limit = Math.min(Math.max(filter.limit ?? 100, 1), 1_000);
  const names = filter.workflow === undefined ? await source.listWorkflowNames() : [filter.workflow];
  const withHumans: string[] = [];
  for (const name of names) {
    const def = await source.getWorkflow(name);
    if (def.steps.some((s) => s.type === 'human')) withHumans.push(name);
  }
  const tasks: HumanTask[] = [];
  for (const workflow of withHumans) {
    let cursor: string | undefined;
    do {
      const page = await source.pageExecutions({ workflow, status: OPEN, limit: PAGE, ...(cursor ? { cursor } : {}) });
      for (const view of page.executions) {
        for (const task of await openTasks(source, view)) {
          if (filter.assignee === undefined || task.assignee === filter.assignee) tasks.push(task);
        }
      }
      cursor = page.nextCursor;
    } while (cursor && tasks.length < limit);
  }
  return tasks.sort((a, b) => b.startedAt - a.startedAt).slice(0, limit);
}

/** The human steps of one execution waiting for a decision. */
export async function openTasks(source: Pick<HumanTaskSource, 'getCompiledWorkflow'>, view: ExecutionView): Promise<HumanTask[]> {
  const waiting = view.steps.filter((s) => s.status === 'waiting' && s.assignee !== undefined && s.key !== undefined);
  if (!waiting.length) return [];
  const compiled = await source.getCompiledWorkflow(view.workflow, view.version);
  return waiting.flatMap((step) => {
    const plan = compiled.plan.steps.get(step.name);
    return plan?.type === 'human' ? [task(view, step, plan as HumanPlan, compiled.definition)] : [];
  });
}

function task(view: ExecutionView, step: StepView, plan: HumanPlan, def: WorkflowDefinition): HumanTask {
  const startedAt = step.startedAt ?? view.createdAt;
  const level = step.escalationLevel ?? 0;
  const next = plan.escalations[level];
  const title = def.steps.find((s) => s.name === step.name && s.type === 'human');
  return {
    executionId: view.executionId,
    workflow: view.workflow,
    ...(view.version ? { version: view.version } : {}),
    step: step.name,
    ...(title?.type === 'human' && title.title ? { title: title.title } : {}),
    assignee: step.assignee!,
    escalationLevel: level,
    escalationChain: step.escalationChain ?? [step.assignee!],
    startedAt,
    ...(plan.timeoutMs === undefined ? {} : { dueAt: startedAt + plan.timeoutMs }),
    ...(next ? { nextEscalationAt: startedAt + next.afterMs } : {}),
    signalKey: step.key!,
  };
}

/**
 * Delivers a decision to an open human task: a signal on the task's key
 * whose data, the step's output, is `{ approved, decision, comment?, data?, by }`.
 * Throws `INVALID_ARGUMENT` naming the field, `EXECUTION_NOT_FOUND` when
 * there is no such open task, `CONFLICT` when it was already decided. The
 * signal id is the task's (`human.<execution>.<step>`): of two decisions
 * sent at once, the first the orchestrator applies wins and the other is
 * dropped as a duplicate.
 */
export async function decideHumanTask(
  source: HumanTaskSource,
  executionId: string,
  step: string,
  decision: HumanDecision,
  by: string,
): Promise<HumanTask> {
  const checked = HumanDecisionSchema.safeParse(decision);
  if (!checked.success) throw new SquadflowError('INVALID_ARGUMENT', 'invalid decision', toFieldIssues(checked.error.issues));
  const id = ExecutionIdSchema.safeParse(executionId);
  if (!id.success) throw new SquadflowError('INVALID_ARGUMENT', 'invalid execution id', toFieldIssues(id.error.issues, 'executionId'));
  const task = await decidableTask(source, await source.getExecution(executionId), executionId, step);
  await source.signal(task.signalKey, decisionOutput(checked.data, by), { signalId: `human.${executionId}.${step}` });
  return task;
}

/**
 * The open task `step` of an execution, for a decision: throws
 * `EXECUTION_NOT_FOUND` (404) when there is no such execution or human
 * step, `CONFLICT` (409) when the task was already decided (or timed out).
 */
export async function decidableTask(
  source: Pick<HumanTaskSource, 'getCompiledWorkflow'>,
  view: ExecutionView | null,
  executionId: string,
  step: string,
): Promise<HumanTask> {
  const notFound = () => new SquadflowError('EXECUTION_NOT_FOUND', `no human task "${step}" in execution ${executionId}`);
  if (!view) throw notFound();
  const compiled = await source.getCompiledWorkflow(view.workflow, view.version);
  if (compiled.plan.steps.get(step)?.type !== 'human') throw notFound();
  const record = view.steps.find((s) => s.name === step);
  const open = (await openTasks(source, view)).find((t) => t.step === step);
  if (open) return open;
  if (record && DECIDED.has(record.status)) {
    throw new SquadflowError('CONFLICT', `human task "${step}" of execution ${executionId} was already decided (${record.status})`);
  }
  if (isTerminal(view.status)) {
    throw new SquadflowError('CONFLICT', `execution ${executionId} has ended (${view.status}); its human task "${step}" is closed`);
  }
  throw new SquadflowError('EXECUTION_NOT_FOUND', `human task "${step}" of execution ${executionId} is not open yet`);
}

/** The step output of a decision. */
export function decisionOutput(decision: HumanDecision, by: string): HumanDecisionOutput {
  return {
    approved: decision.decision === 'approve',
    decision: decision.decision,
    ...(decision.comment === undefined ? {} : { comment: decision.comment }),
    ...(decision.data === undefined ? {} : { data: decision.data }),
    by,
  };
}
