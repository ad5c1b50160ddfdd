/**
 * Attributes each CPU sample of an orchestrator profile to a phase of the
 * per-event loop (decode, actor load, transition, persist, effects, ack) by
 * the innermost engine or XState frame on its stack. Work the NATS client
 * does outside any engine frame (socket reads, parsing, resolving replies,
 * flushing writes in a microtask) cannot be told apart per phase and gets
 * its own rows. Async continuations keep the resumed function's frame, so
 * code after an `await` still lands in its phase.
 */

interface Node {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

const ENGINE = /packages\/(engine|shared)\/src\//;
/** The schema-checked KV records every store writes through: on the per-event path, the execution record's persist. */
const KV_RECORDS = /packages\/transport\/src\/kv-records\.ts/;
const XSTATE = /\/xstate\//;

const ENGINE_PHASES: Record<string, string> = {
  handle: 'decode (JSON.parse + zod)',
  load: 'actor load (KV read, resolveState)',
  read: 'actor load (KV read, resolveState)',
  settle: 'transition (xstate + expressions)',
  evaluate: 'transition (xstate + expressions)',
  withContext: 'transition (xstate + expressions)',
  recordFor: 'persist (record, encode, KV CAS)',
  update: 'persist (record, encode, KV CAS)',
  create: 'persist (record, encode, KV CAS)',
  flush: 'effects (publish, timers, lifecycle)',
  performEffects: 'effects (publish, timers, lifecycle)',
  performOne: 'effects (publish, timers, lifecycle)',
  arm: 'effects (publish, timers, lifecycle)',
  cancel: 'effects (publish, timers, lifecycle)',
  ack: 'ack',
  nak: 'ack',
  apply: 'loop (queue, cache, dispatch by kind)',
  run: 'loop (queue, cache, dispatch by kind)',
  onTrigger: 'loop (queue, cache, dispatch by kind)',
  onReply: 'loop (queue, cache, dispatch by kind)',
  commit: 'loop (queue, cache, dispatch by kind)',
};

const KV_RECORD_PHASES: Record<string, string> = {
  encode: 'persist (record, encode, KV CAS)',
  update: 'persist (record, encode, KV CAS)',
  create: 'persist (record, encode, KV CAS)',
  get: 'actor load (KV read, resolveState)',
  decode: 'actor load (KV read, resolveState)',
};

const XSTATE_PHASES: Record<string, string> = {
  transition: 'transition (xstate + expressions)',
  initialTransition: 'transition (xstate + expressions)',
  getPersistedSnapshot: 'persist (record, encode, KV CAS)',
  resolveState: 'actor load (KV read, resolveState)',
};

function match(frame: Node['callFrame']): string | undefined {
  if (ENGINE.test(frame.url)) return ENGINE_PHASES[frame.functionName];
  if (KV_RECORDS.test(frame.url)) return KV_RECORD_PHASES[frame.functionName];
  if (XSTATE.test(frame.url)) return XSTATE_PHASES[frame.functionName];
  return undefined;
}

interface Context {
  phase?: string;
  natsWrite: boolean;
  nats: boolean;
}

/** Phase of every node, computed top-down so the innermost match wins. */
function contexts(nodes: Node[]): Map<number, Context> {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const childIds = new Set(nodes.flatMap((n) => n.children ?? []));
  const out = new Map<number, Context>();
  const stack = nodes.filter((n) => !childIds.has(n.id)).map((n) => ({ node: n, parent: { natsWrite: false, nats: false } as Context }));
  while (stack.length) {
    const { node, parent } = stack.pop()!;
    const f = node.callFrame;
    const ctx: Context = {
      phase: match(f) ?? parent.phase,
      nats: parent.nats || f.url.includes('/@nats-io/'),
      natsWrite: parent.natsWrite || f.functionName === 'flushPending' || f.functionName === '_send',
    };
    out.set(node.id, ctx);
    for (const c of node.children ?? []) stack.push({ node: byId.get(c)!, parent: ctx });
  }
  return out;
}

function fallback(node: Node, ctx: Context): string {
  const name = node.callFrame.functionName;
  if (name === '(idle)') return '(idle)';
  if (name === '(garbage collector)') return 'garbage collector';
  if (name === '(program)') return 'V8/native (program)';
  if (ctx.natsWrite) return 'NATS client: socket writes (flush)';
  if (ctx.nats) return 'NATS client: socket reads, parse, resolve replies';
  if (/^node:|^internal\//.test(node.callFrame.url)) return 'node internals (timers, streams)';
  return 'other (startup, module loading, timers)';
}

/** Sample counts per phase (idle excluded from the caller's percentages). */
export function phaseCounts(nodes: Node[], samples: number[]): Map<string, number> {
  const ctxs = contexts(nodes);
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const counts = new Map<string, number>();
  for (const id of samples) {
    const ctx = ctxs.get(id)!;
    const phase = ctx.phase ?? fallback(byId.get(id)!, ctx);
    counts.set(phase, (counts.get(phase) ?? 0) + 1);
  }
  return counts;
}
