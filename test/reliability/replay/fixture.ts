/**
 * Matrix A4, replay / upgrade fixtures: what one fixture holds, how it is
 * read (with an error that says what to do when it cannot be), and the
 * replay itself, shared by the recorder and the test so both do exactly the
 * same thing.
 *
 * A fixture is the persisted state of one or more executions at a point
 * mid-way (the orchestrator's KV buckets: execution records, workflow
 * versions, timers, waits), the clock at that point, the inbound events
 * still to come (replies, timer firings as clock advances, signals), and what
 * this version did with them: the commands it dispatched, in order, and how
 * each execution ended.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { names, silentLogger, stepCommandCodec, stepReplyCodec, type StepCommand } from '@squadflow/shared';
import { EngineClient, Orchestrator } from '@squadflow/engine';
import type { ManualClock, Transport } from '@squadflow/transport';
import { until } from '@squadflow/transport/testing';

/** The buckets a fixture carries, by their role in `names(prefix).buckets`. */
export const BUCKETS = ['executions', 'workflows', 'timers', 'waits'] as const;

const ReplyStep = z.strictObject({
  reply: z.strictObject({
    step: z.string(),
    attempt: z.number().int().positive(),
    compensation: z.boolean().default(false),
    ok: z.boolean(),
    output: z.unknown().optional(),
    error: z.strictObject({ message: z.string(), code: z.string().optional(), retryable: z.boolean().default(true) }).optional(),
  }),
});
const AdvanceStep = z.strictObject({ advanceMs: z.number().int().nonnegative() });
const SignalStep = z.strictObject({ signal: z.strictObject({ key: z.string(), data: z.unknown().optional() }) });
export const ScriptStepSchema = z.union([ReplyStep, AdvanceStep, SignalStep]);
export type ScriptStep = z.input<typeof ScriptStepSchema>;

export const OutcomeSchema = z.strictObject({
  /** Distinct commands in the order they were dispatched: `<step>#<attempt>`, `c` appended for a compensation. */
  commands: z.array(z.string()),
  /** Final status of every execution in the fixture. */
  status: z.record(z.string(), z.string()),
});
export type Outcome = z.output<typeof OutcomeSchema>;

export const FixtureSchema = z.strictObject({
  format: z.literal(1),
  name: z.string(),
  description: z.string(),
  recordedAt: z.string(),
  /** The (manual) clock when the state was taken: the replay starts there. */
  clockAt: z.number().int(),
  /** Bucket role → key → stored value (JSON). */
  kv: z.record(z.enum(BUCKETS), z.record(z.string(), z.unknown())),
  /** The inbound events still to come, in order. */
  script: z.array(ScriptStepSchema),
  expected: OutcomeSchema,
});
export type Fixture = z.output<typeof FixtureSchema>;

/**
 * Why a fixture must never be edited to make a test pass: it stands for
 * state that real deployments of that version hold.
 */
export const UPGRADE_RULE =
  'Fixtures record what an earlier version persisted; deployments of that version hold the same data. ' +
  'A change of the persisted schema or of the engine that breaks one needs a migration (so the fixture restores as it is) ' +
  'or, when the break is deliberate and documented, a new fixture version (record v<N+1> with ' +
  '`node --import tsx test/reliability/record-replay-fixtures.ts`). Never edit a recorded fixture.';

/** Reads and checks one fixture file; an unreadable one fails naming the file, the fields at fault and the rule. */
export function readFixture(path: string): Fixture {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`replay fixture ${path} is not JSON (${(err as Error).message}). ${UPGRADE_RULE}`);
  }
  const parsed = FixtureSchema.safeParse(raw);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new Error(`replay fixture ${path} cannot be read by this version: ${fields}. ${UPGRADE_RULE}`);
  }
  return parsed.data;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Every entry of the fixture's buckets under `prefix`, values as JSON. */
export async function dumpBuckets(transport: Transport, prefix: string): Promise<Fixture['kv']> {
  const n = names(prefix);
  const kv = {} as Fixture['kv'];
  for (const role of BUCKETS) {
    const entries = await (await transport.kv(n.buckets[role])).entries();
    kv[role] = Object.fromEntries(entries.map((e) => [e.key, JSON.parse(dec.decode(e.value)) as unknown]));
  }
  return kv;
}

/** Writes a fixture's buckets under `prefix` (a fresh one). */
export async function loadBuckets(transport: Transport, prefix: string, kv: Fixture['kv']): Promise<void> {
  const n = names(prefix);
  for (const [role, entries] of Object.entries(kv)) {
    const bucket = await transport.kv(n.buckets[role as (typeof BUCKETS)[number]]);
    for (const [key, value] of Object.entries(entries)) await bucket.put(key, enc.encode(JSON.stringify(value)));
  }
}

/** A stand-in squad: records every command, answers none (the script does). */
export async function commandLog(transport: Transport, prefix: string): Promise<StepCommand[]> {
  const n = names(prefix);
  const got: StepCommand[] = [];
  await transport.streams.consume(n.streams.commands, { durable: 'replay_log', filterSubject: n.commandsAll }, async (msg) => {
    got.push(stepCommandCodec.decode(msg.data));
    msg.ack();
  });
  return got;
}

const label = (c: { step: string; attempt: number; compensation?: boolean }): string =>
  `${c.step}#${c.attempt}${c.compensation ? 'c' : ''}`;

export interface Driver {
  transport: Transport;
  clock: ManualClock;
  prefix: string;
  commands: StepCommand[];
  orchestrator: Orchestrator;
  client: EngineClient;
}

/** Starts an orchestrator (and a command log) on a prefix whose streams exist or not. */
export async function startDriver(transport: Transport, clock: ManualClock, prefix: string): Promise<Driver> {
  const orchestrator = await Orchestrator.start({ transport, prefix, logger: silentLogger() });
  const commands = await commandLog(transport, prefix);
  const client = await EngineClient.connect({ transport, prefix });
  await orchestrator.recovered();
  return { transport, clock, prefix, commands, orchestrator, client };
}

/** Feeds one scripted event and lets the orchestrator apply it. */
export async function feed(d: Driver, scripted: ScriptStep): Promise<void> {
  const step = ScriptStepSchema.parse(scripted);
  if ('advanceMs' in step) await d.clock.advance(step.advanceMs);
  else if ('signal' in step) await d.client.signal(step.signal.key, step.signal.data);
  else {
    const r = step.reply;
    const want = label(r);
    // The command this reply answers must have gone out: a reply for a command never sent is not the same history.
    const command = await until(
      `command ${want}`,
      async () => {
        await d.clock.advance(0);
        return d.commands.find((c) => label(c) === want);
      },
      (c) => c !== undefined,
      10_000,
    );
    const { id: commandId, executionId } = command!;
    const reply = {
      kind: 'reply' as const,
      commandId,
      executionId,
      step: r.step,
      attempt: r.attempt,
      compensation: r.compensation ?? false,
      ok: r.ok,
    };
    const body = { ...reply, ...(r.output === undefined ? {} : { output: r.output }), ...(r.error ? { error: r.error } : {}) };
    await d.transport.streams.publish(names(d.prefix).reply(executionId), stepReplyCodec.encode(body), { msgId: `${commandId}.reply` });
  }
  await settle(d);
}

/** Lets every queued event be applied (delivery is asynchronous on both adapters). */
export async function settle(d: Driver): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await d.clock.advance(0);
    await d.orchestrator.idle();
    await new Promise((resolve) => setTimeout(resolve, 30));
  }
}

/** What happened since the driver started: distinct commands in dispatch order, and each execution's status. */
export async function outcome(d: Driver, executionIds: string[]): Promise<Outcome> {
  const commands: string[] = [];
  const seen = new Set<string>();
  for (const c of d.commands) {
    if (seen.has(c.id)) continue;
    seen.add(c.id);
    commands.push(label(c));
  }
  const status: Record<string, string> = {};
  for (const id of executionIds) status[id] = (await d.client.getExecution(id))?.status ?? 'missing';
  return { commands, status };
}

/**
 * Replays a fixture on a fresh prefix: loads its state, starts an
 * orchestrator (which restores the executions and re-performs their last
 * effects), feeds the script, and waits until every execution has ended.
 */
export async function replay(fixture: Fixture, transport: Transport, clock: ManualClock, prefix: string): Promise<Outcome> {
  await loadBuckets(transport, prefix, fixture.kv);
  const d = await startDriver(transport, clock, prefix);
  try {
    for (const step of fixture.script) await feed(d, step);
    const ids = Object.keys(fixture.kv.executions ?? {});
    await until(
      'every execution ended',
      async () => (await outcome(d, ids)).status,
      (s) => Object.values(s).every(isEnded),
      10_000,
    ).catch(
      () => undefined, // the comparison below names what did not end
    );
    return await outcome(d, ids);
  } finally {
    await d.orchestrator.stop();
  }
}

const isEnded = (status: string): boolean => ['completed', 'failed', 'compensated', 'escalated', 'cancelled'].includes(status);
