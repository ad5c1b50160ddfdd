import type { ExecutionView } from '@squadflow/engine';
import { NextHandoffSchema, type NextHandoff } from '@squadflow/squads/catalog';
import { SquadflowError } from '@squadflow/shared';
import { z } from 'zod';
import { table } from './format.ts';
import type { Output } from './output.ts';
import type { Remote } from './remote/index.ts';
import { liveLine, watchExecution } from './watch.ts';

/** The part of an execution's output that says what it handed on (the agency's handoffs, docs/handoffs.md). */
const HandedOnSchema = z.object({ next_handoff: NextHandoffSchema });

/** What an execution handed on, when its output says so (a handoff workflow's `next_handoff`). */
export function handedOn(view: ExecutionView): NextHandoff | undefined {
  const parsed = HandedOnSchema.safeParse(view.output);
  return parsed.success ? parsed.data.next_handoff : undefined;
}

export interface FollowOptions {
  /** Epoch ms after which waiting gives up (`TIMEOUT`), shared by every execution of the chain. */
  deadline: number;
  out: Output;
  /** When the run started, for the live lines' offsets. */
  started: number;
}

/**
 * Follows a chain of handoffs from `first` (already ended): each execution a
 * handoff started is watched live to its end, until one starts nothing. An
 * id seen twice ends it too (the agency squad's hop limit ends a chain; this
 * only keeps the CLI from following a cycle it did not make). Returns every
 * execution of the chain, `first` included.
 */
export async function followChain(
  remote: Pick<Remote, 'getExecution'>,
  first: ExecutionView,
  options: FollowOptions,
): Promise<ExecutionView[]> {
  const chain = [first];
  const seen = new Set([first.executionId]);
  for (let view = first; ;) {
    const next = handedOn(view);
    if (view.status !== 'completed' || next?.status !== 'started' || seen.has(next.execution_id)) return chain;
    seen.add(next.execution_id);
    const from = view.workflow;
    options.out.event(
      { event: 'handoff', from, from_execution: view.executionId, workflow: next.workflow, execution: next.execution_id, hop: next.hop },
      () => `-- ${from} handed on to ${next.workflow} (execution ${next.execution_id}, hop ${next.hop})`,
    );
    await untilStored(remote, next.execution_id, options.deadline);
    view = await watchExecution(remote, next.execution_id, {
      timeoutMs: Math.max(0, options.deadline - Date.now()),
      onStep: liveLine(options.out, options.started),
    });
    chain.push(view);
  }
}

/**
 * A handoff's trigger goes to the orchestrator as a message: the execution
 * it names is stored once the orchestrator took it, normally before the
 * handing execution ends, but not necessarily. Polls like `watchExecution`.
 */
async function untilStored(remote: Pick<Remote, 'getExecution'>, executionId: string, deadline: number): Promise<void> {
  for (let pause = 10; !(await remote.getExecution(executionId)); pause = Math.min(pause * 2, 200)) {
    if (Date.now() > deadline) throw new SquadflowError('TIMEOUT', `handed-on execution ${executionId} did not appear before the timeout`);
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
}

/** One row per execution of a chain: its workflow, status, id, and what it handed on (or why not). */
export function chainTable(chain: readonly ExecutionView[]): string {
  return table([
    ['HANDOFF', 'STATUS', 'EXECUTION', 'NEXT'],
    ...chain.map((view) => [view.workflow, view.status, view.executionId, describeNext(handedOn(view))]),
  ]);
}

function describeNext(next: NextHandoff | undefined): string {
  if (!next) return '-';
  if (next.status === 'started') return `started ${next.workflow} (${next.execution_id})`;
  return `none (${next.reason}): ${next.detail}`;
}

/** The note for a run that does not follow its chain: where the next execution is. */
export function handoffNote(view: ExecutionView, oneShot: boolean): string | undefined {
  const next = handedOn(view);
  if (next?.status !== 'started') return undefined;
  const follow = oneShot
    ? 'this one-shot in-memory squadflow stops with the command: use --wait to follow the chain to its end'
    : `follow it with \`squadflow status ${next.execution_id}\` or \`squadflow ls --workflow ${next.workflow}\``;
  return `${view.workflow} handed on to ${next.workflow} (execution ${next.execution_id}); ${follow}`;
}
