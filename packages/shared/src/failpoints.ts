/**
 * Named failpoints for fault tests. Code calls `failpoint(name, detail)` at a
 * point where a crash or an error must be survivable (the orchestrator
 * before it applies an event, ...); a test arms a point, and the call then
 * kills the process or throws there. Unarmed, a call costs one size check.
 *
 * Armed from the environment of a process (read once, at first use):
 *
 *     SQUADFLOW_FAILPOINTS="orchestrator.apply=kill@reply.explode;other.point=throw"
 *
 * one `name=action[@match]` per `;`: the point fires only when its `detail`
 * contains `match` (e.g. an execution id or an event type). Actions: `kill`
 * (SIGKILL itself: no cleanup, no flush, like the OOM killer), `abort`
 * (`process.abort()`: SIGABRT), `throw` (a `FailpointError`). In-process
 * tests use `armFailpoint` / `disarmFailpoints` instead.
 *
 * Points in the code (docs/testing-workflows.md lists them), in the order
 * one event passes them (matrix A1's named crash points are the last three):
 * - `orchestrator.apply`: an event is about to be applied to an execution
 *   (detail: `<execution id> <event type>`, `trigger` for a start).
 * - `orchestrator.after-transition`: the machine's transition is computed
 *   (expressions evaluated), the record is not yet written.
 * - `orchestrator.after-persist`: the record and its outbox are written
 *   with compare-and-set; no command, timer or lifecycle event has gone out.
 * - `orchestrator.after-publish`: the outbox is performed (commands and
 *   lifecycle events published, timers stored); the inbound message that
 *   carried the event is not yet acked.
 * The last three see `<execution id> <event type> ...` (every event of a
 * group commit, e.g. `ex_1f.. reply.b heartbeat.b`; `trigger` for a start;
 * `timer.<step>` for a timer, which has no inbound message to ack).
 */
export type FailpointAction = 'kill' | 'abort' | 'throw';

interface Armed {
  action: FailpointAction;
  match?: string;
}

/** Thrown by a failpoint armed with `throw`. */
export class FailpointError extends Error {
  override readonly name = 'FailpointError';
  readonly code = 'FAILPOINT';
  constructor(
    readonly point: string,
    readonly detail: string,
  ) {
    super(`failpoint ${point} fired (${detail})`);
  }
}

const ENV = 'SQUADFLOW_FAILPOINTS';
const ACTIONS: ReadonlySet<string> = new Set<FailpointAction>(['kill', 'abort', 'throw']);
const armed = new Map<string, Armed>();
let fromEnv = false;

/** Fires the point if it is armed and `detail` contains its match. */
export function failpoint(name: string, detail = ''): void {
  if (!fromEnv) loadFromEnv();
  if (armed.size === 0) return;
  const point = armed.get(name);
  if (!point || (point.match !== undefined && !detail.includes(point.match))) return;
  if (point.action === 'throw') throw new FailpointError(name, detail);
  if (point.action === 'abort') process.abort();
  process.kill(process.pid, 'SIGKILL');
}

/** Arms a point in this process (in-process tests). */
export function armFailpoint(name: string, point: Armed): void {
  if (!fromEnv) loadFromEnv();
  armed.set(name, point);
}

/** Disarms every point (in-process tests, after each test). */
export function disarmFailpoints(): void {
  armed.clear();
}

/** Parses `SQUADFLOW_FAILPOINTS`; throws naming the entry at fault, so a mistyped spec never runs a fault test silently. */
export function parseFailpoints(spec: string): Map<string, Armed> {
  const points = new Map<string, Armed>();
  for (const entry of spec.split(';').map((e) => e.trim())) {
    if (!entry) continue;
    const m = /^([A-Za-z0-9_.-]+)=([a-z]+)(?:@(.+))?$/.exec(entry);
    if (!m || !ACTIONS.has(m[2]!)) throw new Error(`${ENV}: expected name=kill|abort|throw[@match], got ${JSON.stringify(entry)}`);
    points.set(m[1]!, { action: m[2] as FailpointAction, ...(m[3] === undefined ? {} : { match: m[3] }) });
  }
  return points;
}

function loadFromEnv(): void {
  fromEnv = true;
  const spec = process.env[ENV];
  if (spec) for (const [name, point] of parseFailpoints(spec)) armed.set(name, point);
}
