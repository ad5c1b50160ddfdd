/** The seven states the graph shows, from the engine's finer step statuses (packages/shared/src/vocabulary/step-status.ts). */

export type NodeState = 'pending' | 'running' | 'waiting' | 'done' | 'failed' | 'compensated' | 'skipped';

export const NODE_STATES: ReadonlyArray<{ state: NodeState; label: string; hint: string }> = [
  { state: 'pending', label: 'pending', hint: 'blocked on its dependencies, or evaluating its condition' },
  { state: 'running', label: 'running', hint: 'an attempt is in flight, backing off before a retry, or compensating' },
  { state: 'waiting', label: 'waiting', hint: 'a delay, a signal, a human task, an escalation or a pause' },
  { state: 'done', label: 'done', hint: 'completed' },
  { state: 'failed', label: 'failed', hint: 'failed for good, or halted' },
  { state: 'compensated', label: 'compensated', hint: 'undone by its compensation' },
  { state: 'skipped', label: 'skipped', hint: 'condition false, branch not taken, or skipped by an operator' },
];

const BY_STATUS: Record<string, NodeState> = {
  blocked: 'pending',
  evaluating: 'pending',
  running: 'running',
  backoff: 'running',
  compensating: 'running',
  delayed: 'waiting',
  waiting: 'waiting',
  escalated: 'waiting',
  paused: 'waiting',
  completed: 'done',
  failed: 'failed',
  halted: 'failed',
  compensated: 'compensated',
  skipped: 'skipped',
};

/** A step's node state; a step the execution has not reached yet (no status) is pending. */
export const nodeState = (status: string | undefined): NodeState => (status ? (BY_STATUS[status] ?? 'pending') : 'pending');
