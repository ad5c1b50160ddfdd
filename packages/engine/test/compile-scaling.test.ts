/**
 * Compiling a workflow and running its first events cost work linear in its
 * steps. Counted, not timed: every read of a state node's `parent` while the
 * machine computes its first snapshot and transitions. XState walks parents
 * for everything it computes over the chart (entry and exit sets, descendant
 * checks, conflicts between transitions, the state value), so work that grows
 * faster than the steps shows up here. Before the XState patches, entering the
 * initial state was cubic in the number of steps and a halt of every region
 * was too: 4x the steps cost 60x the reads and more.
 */
import { describe, expect, it } from 'vitest';
import { compileWorkflow, type CompiledWorkflow, type MachineEvent } from '../src/compile/index.ts';
import { machineEvent } from '../src/compile/events.ts';
import { largeDefinitions } from './support/large-definitions.ts';

interface NodeLike {
  parent?: NodeLike;
  states: Record<string, NodeLike>;
  transitions: Map<string, unknown>;
}

/** Every state node of the machine. */
function nodesOf(workflow: CompiledWorkflow): NodeLike[] {
  const out: NodeLike[] = [];
  const visit = (node: NodeLike) => {
    out.push(node);
    for (const child of Object.values(node.states)) visit(child);
  };
  visit(workflow.machine.root as unknown as NodeLike);
  return out;
}

/** Reads of `parent` on the machine's state nodes while `run` runs. */
function parentReads(workflow: CompiledWorkflow, run: () => void): number {
  let reads = 0;
  for (const node of nodesOf(workflow)) {
    const parent = node.parent;
    Object.defineProperty(node, 'parent', {
      configurable: true,
      get: () => {
        reads++;
        return parent;
      },
    });
  }
  run();
  return reads;
}

/** The first events of an execution: its start, the first step's reply, then the second step failing (the rest halts). */
function firstEvents(workflow: CompiledWorkflow): void {
  const { runner } = workflow;
  let s = runner.initial({ executionId: 'ex', workflow: workflow.definition.name, version: 1, input: {}, at: 1 });
  const next = (event: MachineEvent) => {
    s = runner.transition({ ...s, context: { ...s.context, outbox: [] } }, event);
  };
  next(machineEvent.reply('s0', false, { attempt: 1, ok: true, output: {} }));
  next(machineEvent.reply('s1', false, { attempt: 1, ok: false, error: { message: 'no', retryable: false } }));
  expect(s.context.failure?.step).toBe('s1');
}

describe('work of compiling and starting a workflow, by its number of steps', () => {
  for (const [shape, build] of Object.entries(largeDefinitions)) {
    it(`grows linearly for a ${shape} definition`, () => {
      const reads = [100, 400].map((n) => {
        const workflow = compileWorkflow(build(n), 1);
        return parentReads(workflow, () => firstEvents(workflow));
      });
      // Linear is 4x; quadratic would be 16x.
      expect(reads[1]! / reads[0]!).toBeLessThan(6);
    });
  }
});

describe('work of each event, by the event types a workflow has seen', () => {
  it('matches events to transitions without a cache entry per state and event type', () => {
    // Unpatched XState kept the transitions of every state for every event type it was asked about
    // (listing the state's descriptors each time it met a new type): a 1,000-step chain retained
    // ~320 MB after one execution. Each state now lists its descriptors once.
    const workflow = compileWorkflow(largeDefinitions.chain(100), 1);
    const nodes = nodesOf(workflow);
    let listings = 0;
    for (const node of nodes) {
      const keys = node.transitions.keys.bind(node.transitions);
      node.transitions.keys = () => {
        listings++;
        return keys();
      };
    }
    const { runner } = workflow;
    let s = runner.initial({ executionId: 'ex', workflow: 'chain100', version: 1, input: {}, at: 1 });
    for (let i = 0; i < 100; i++) {
      s = runner.transition(
        { ...s, context: { ...s.context, outbox: [] } },
        machineEvent.reply(`s${i}`, false, { attempt: 1, ok: true, output: {} }),
      );
    }
    expect(s.status).toBe('done');
    expect(listings).toBeLessThanOrEqual(3 * nodes.length);
  });
});
