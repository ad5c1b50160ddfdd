import type { DeliveredMessage, Transport } from '@squadflow/transport';
import {
  StepErrorCode,
  stepCommandCodec,
  stepReplyCodec,
  type Logger,
  type Names,
  type StepCommand,
  type StepReply,
} from '@squadflow/shared';
import type { ActionContext, ActionDefinition } from './action.ts';
import { AttemptControl } from './attempt.ts';
import { HEARTBEAT_MAX_RATE_MS, HeartbeatPublisher } from './heartbeat.ts';
import type { IdempotencyLedger } from './idempotency.ts';
import { invokeAction, validate, type Outcome } from './invoke.ts';
import { endHandlerSpan, inSpan, startHandlerSpan } from './handler-span.ts';
import type { SquadStats } from './stats.ts';

/** Extend the 10 s ack wait (runtime.ts) well before it expires while a handler runs. */
const WORKING_INTERVAL_MS = 3_000;
/** Back-off before redelivery when infrastructure (KV, publish) failed. */
const RETRY_DELAY_MS = 1_000;
/** Tries at publishing a reply before leaving it to a redelivery (each try waits for its own timeout). */
const PUBLISH_TRIES = 5;

/** An action as the runtime runs it: the definition plus its resolved default timeout and delivery. */
export interface RuntimeAction extends ActionDefinition {
  timeoutMs?: number;
  /** `delivery: 'at-least-once'`: no idempotency record; a redelivery runs the handler again. */
  atLeastOnce: boolean;
}

export interface CommandDeps {
  squad: string;
  names: Names;
  transport: Transport;
  actions: ReadonlyMap<string, RuntimeAction>;
  ledger: IdempotencyLedger;
  logger: Logger;
  stats: SquadStats;
  /** Attempts whose handler runs now: the runtime interrupts them when its shutdown grace ends. */
  running: Set<AttemptControl>;
  /** True once the shutdown grace has ended: no handler may start any more. */
  interrupting(): boolean;
  /**
   * The answer of each command this process claimed and has not finished
   * publishing, by command id: another delivery of the same command (a
   * broker redelivery while the first is still running or still publishing)
   * publishes that answer too, instead of leaving the attempt unanswered.
   */
  answers: Map<string, Promise<StepReply>>;
}

/**
 * Processes one delivered step command. For an at-least-once action the
 * order is handler → publish reply → ack, and a redelivery runs the handler
 * again (same command id, same reply message id). Otherwise (at most once)
 * the order is: record `started` → handler →
 * publish reply → ack. A crash at any point leads to a redelivery that never
 * runs the handler twice: it finds `started` and answers a retryable
 * INTERRUPTED under the same message id as the real reply, so the
 * orchestrator sees one answer per attempt. (Another copy of the command,
 * delivered while this process still runs or publishes the claimed one,
 * waits for that answer and publishes it too: nothing relies on the delivery
 * count, which NATS 2.9 resets after a crash.) If the real reply was stored
 * (the crash came after it), JetStream drops the INTERRUPTED as a duplicate
 * (redeliveries come within the ack wait, well inside the 2-minute dedup
 * window); if not, the attempt is retried. Only when publishing fails is the
 * reply also stored in the record (`done`), for the redelivery to publish.
 */
export async function handleCommand(msg: DeliveredMessage, deps: CommandDeps): Promise<void> {
  let command: StepCommand;
  try {
    command = stepCommandCodec.decode(msg.data);
  } catch (err) {
    // Redelivering a malformed command can never succeed.
    deps.logger.error({ err, subject: msg.subject }, 'invalid step command; dropped');
    msg.term();
    return;
  }
  // The command's child logger, made when first used: a command that logs nothing (the common case) makes none.
  let child: Logger | undefined;
  const log = (): Logger =>
    (child ??= deps.logger.child({
      executionId: command.executionId,
      step: command.step,
      attempt: command.attempt,
      action: command.action,
      commandId: command.id,
    }));
  try {
    await processCommand(msg, command, deps, log);
  } catch (err) {
    log().error({ err, deliveryCount: msg.deliveryCount }, 'step command failed; will be redelivered');
    msg.nak(RETRY_DELAY_MS);
  }
}

async function processCommand(msg: DeliveredMessage, command: StepCommand, deps: CommandDeps, log: () => Logger): Promise<void> {
  const { clock } = deps.transport;
  const action = deps.actions.get(command.action);
  if (clock.now() >= command.deadline) {
    // The attempt's deadline applies to starting it: the orchestrator has timed out an attempt that never started
    // (a squad stopped or backed up past it), so running it now would repeat its effect beside the retry. One that
    // did start (its record exists; heartbeats may have extended it) goes on below, as any redelivery or copy does.
    // An at-least-once action keeps no record: its late copy is skipped too, and the orchestrator's timeout retries.
    const record = action?.atLeastOnce ? undefined : await deps.ledger.read(command.id);
    if (!record) {
      log().info('deadline passed before the command ran; skipped');
      msg.ack();
      return;
    }
  }
  if (!action) {
    const message = `squad ${deps.squad} has no action ${JSON.stringify(command.action)}`;
    const error = { message, code: StepErrorCode.UNKNOWN_ACTION, retryable: false };
    await publish(deps, command, reply(command, { ok: false, error }));
    log().warn('unknown action');
    msg.ack();
    return;
  }
  const input = validate(action.input, command.input, `input for ${deps.squad}.${command.action}`);
  if (!input.ok) {
    // Deterministic from the command alone: no record needed, a redelivery gives the same reply.
    const error = { message: input.message, code: StepErrorCode.INVALID_INPUT, retryable: false };
    deps.stats.answered(command.action, error);
    await publish(deps, command, reply(command, { ok: false, error }));
    log().info({ error: input.message }, 'invalid input');
    msg.ack();
    return;
  }
  if (deps.interrupting()) {
    // Not claimed yet, so no handler ran for this attempt: another replica may run it as is.
    msg.nak();
    return;
  }

  if (action.atLeastOnce) {
    // No record to claim: a redelivery runs the handler again. Only a copy delivered while this process still runs
    // the command shares that run's answer (running it twice at once would buy nothing).
    const ours = deps.answers.get(command.id);
    if (ours) {
      await publish(deps, command, await ours);
      msg.ack();
      return;
    }
    return runClaimed({ msg, command, action, input: input.value, deps, log }, undefined);
  }
  const claim = await deps.ledger.claim(command.id, clock.now());
  if (claim.status !== 'claimed') {
    const ours = deps.answers.get(command.id);
    if (claim.status === 'done') {
      if (debugging(deps)) log().debug('duplicate delivery; re-publishing the stored reply');
      await publish(deps, command, claim.reply);
    } else if (ours) {
      log().info('another delivery of a command this process is running; publishing its answer when it comes');
      await publish(deps, command, await ours);
    } else {
      const interrupted = failure(command, StepErrorCode.INTERRUPTED, 'a previous delivery of this command started but did not finish');
      log().warn('command was started by a previous delivery; replying INTERRUPTED');
      await publish(deps, command, await deps.ledger.settle(command.id, interrupted, claim.revision, clock.now()));
    }
    msg.ack();
    return;
  }
  return runClaimed({ msg, command, action, input: input.value, deps, log }, claim.revision);
}

/** One delivery of a valid command for a known action, about to run. */
interface Run {
  msg: DeliveredMessage;
  command: StepCommand;
  action: RuntimeAction;
  /** The input as the action's schema parsed it. */
  input: unknown;
  deps: CommandDeps;
  /** The command's child logger (made on first call). */
  log: () => Logger;
}

/**
 * Runs a command this delivery may run (claimed at `startedRevision`, or an
 * at-least-once action's, with no record), publishes its reply and acks.
 */
async function runClaimed(run: Run, startedRevision: number | undefined): Promise<void> {
  const { msg, command, deps, log } = run;
  const { clock } = deps.transport;
  let answered!: (reply: StepReply) => void;
  deps.answers.set(command.id, new Promise<StepReply>((resolve) => (answered = resolve)));
  const span = startHandlerSpan(msg, command, deps.squad);
  try {
    const startedAt = clock.now();
    const outcome = deps.interrupting()
      ? { ok: false as const, error: { message: 'the squad is shutting down', code: StepErrorCode.INTERRUPTED, retryable: true } }
      : startedAt >= command.deadline
        ? // Checked again now that it is claimed: the claim (a KV round trip) or a stopped process may have outlasted it.
          {
            ok: false as const,
            error: { message: 'the attempt deadline passed before its handler started', code: StepErrorCode.TIMEOUT, retryable: true },
          }
        : await inSpan(span, () => runHandler(run, startedAt));
    const finishedAt = clock.now();
    const { answer, bytes } = sendable(deps, command, reply(command, outcome, startedAt, finishedAt));
    // The reply carries the handler span's context back (the span is over: the publish is not part of it).
    const headers = endHandlerSpan(span, answer);
    answered(answer);
    // Counted before publishing, so whoever sees the reply sees the counters include it.
    deps.stats.answered(command.action, answer.ok ? undefined : (answer.error ?? { message: 'failed' }));
    try {
      // The reply in the inbound stream is the durable answer: no `done` record is written on this path.
      await publishPersistently(deps, command, bytes, log, headers);
    } catch (err) {
      // Keep the answer for the redelivery to publish, instead of answering INTERRUPTED (best effort: NATS may be down).
      // At least once: nothing to keep, the redelivery runs the handler again.
      if (startedRevision !== undefined)
        await deps.ledger
          .settle(command.id, answer, startedRevision, clock.now())
          .catch((e: unknown) => log().warn({ err: e }, 'storing the reply failed'));
      throw err;
    }
    if (debugging(deps)) log().debug({ ok: answer.ok, ms: finishedAt - startedAt }, 'handler finished; reply published');
    msg.ack();
  } finally {
    deps.answers.delete(command.id);
    if (span?.isRecording()) span.end(); // the handler path threw before its reply
  }
}

/**
 * Publishes a handler's reply, trying again while the broker is away: the
 * effect has happened, and this process is the one that knows its outcome.
 * Gives up after a few tries or once the attempt's deadline has passed (the
 * orchestrator no longer waits); the caller then stores it for a redelivery.
 */
async function publishPersistently(
  deps: CommandDeps,
  command: StepCommand,
  bytes: Uint8Array,
  log: () => Logger,
  headers: Record<string, string> | undefined,
): Promise<void> {
  for (let tries = 1; ; tries++) {
    try {
      await publishBytes(deps, command, bytes, headers);
      return;
    } catch (err) {
      if (tries >= PUBLISH_TRIES || deps.transport.clock.now() >= command.deadline) throw err;
      log().warn({ err, tries }, 'publishing the reply failed; trying again');
      await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS));
    }
  }
}

/** Runs the handler with its deadline, heartbeats and ack-wait keep-alive; always releases them. */
async function runHandler(run: Run, startedAt: number): Promise<Outcome> {
  const { msg, command, action, input, deps, log } = run;
  const { clock, streams } = deps.transport;
  const deadline = action.timeoutMs === undefined ? command.deadline : Math.min(command.deadline, startedAt + action.timeoutMs);
  const control = new AttemptControl(clock, startedAt, deadline, { everyMs: WORKING_INTERVAL_MS, send: () => msg.working() });
  // Made on the first heartbeat: most handlers never send one.
  let beats: HeartbeatPublisher | undefined;
  const ctx: ActionContext = {
    executionId: command.executionId,
    workflow: command.workflow,
    step: command.step,
    attempt: command.attempt,
    idempotencyKey: command.id,
    compensation: command.compensation,
    get deadline() {
      return control.deadline;
    },
    get signal() {
      return control.signal;
    },
    get logger() {
      return log();
    },
    heartbeat(progress?: unknown) {
      try {
        control.extend();
        beats ??= new HeartbeatPublisher({
          command,
          names: deps.names,
          streams,
          clock,
          logger: log(),
          intervalMs: Math.max(1, Math.min(HEARTBEAT_MAX_RATE_MS, Math.floor(control.spanMs / 2))),
          onSent: () => msg.working(),
        });
        beats.beat(progress);
      } catch (err) {
        log().warn({ err }, 'heartbeat failed');
      }
    },
  };
  deps.running.add(control);
  deps.stats.started(command.action);
  const began = performance.now();
  try {
    if (debugging(deps)) log().debug('handler started');
    return await invokeAction(action, input, ctx, control);
  } finally {
    deps.running.delete(control);
    deps.stats.ended(command.action, performance.now() - began);
    control.finish();
    if (beats) {
      beats.close();
      // A heartbeat published after the reply would be ignored, but keep the inbound stream in causal order anyway.
      await beats.settled();
    }
  }
}

/** Whether debug lines are written at all: the command path skips making its child logger for ones that are not. */
function debugging(deps: CommandDeps): boolean {
  return deps.logger.isLevelEnabled('debug');
}

function failure(command: StepCommand, code: StepErrorCode, message: string): StepReply {
  return reply(command, { ok: false, error: { message, code, retryable: true } });
}

function reply(command: StepCommand, outcome: Outcome, startedAt?: number, finishedAt?: number): StepReply {
  return {
    kind: 'reply',
    commandId: command.id,
    executionId: command.executionId,
    step: command.step,
    attempt: command.attempt,
    compensation: command.compensation,
    ...(outcome.ok ? { ok: true, output: outcome.output } : { ok: false, error: outcome.error }),
    ...(startedAt === undefined ? {} : { startedAt }),
    ...(finishedAt === undefined ? {} : { finishedAt }),
  };
}

/** One reply per command id: the msgId makes JetStream drop re-publications within the dedup window. */
async function publish(deps: CommandDeps, command: StepCommand, value: StepReply): Promise<void> {
  await publishBytes(deps, command, stepReplyCodec.encode(value));
}

async function publishBytes(deps: CommandDeps, command: StepCommand, bytes: Uint8Array, headers?: Record<string, string>): Promise<void> {
  const msgId = `${command.id}.reply`;
  await deps.transport.streams.publish(deps.names.reply(command.executionId), bytes, headers ? { msgId, headers } : { msgId });
}

/** Room left in a message for its headers (the reply's `Nats-Msg-Id`): NATS counts them against `max_payload`. */
const HEADER_ROOM = 1024;

/**
 * The reply as it will be published, encoded once. A reply the transport
 * could never carry (an output over its max payload, less header room)
 * becomes a non-retryable `PAYLOAD_TOO_LARGE` failure: sending the same
 * output again could only fail the same way.
 */
function sendable(deps: CommandDeps, command: StepCommand, answer: StepReply): { answer: StepReply; bytes: Uint8Array } {
  const bytes = stepReplyCodec.encode(answer);
  const limit = deps.transport.maxPayload - HEADER_ROOM;
  if (bytes.length <= limit) return { answer, bytes };
  const message = `the reply is ${bytes.length} bytes, over the ${limit} bytes a message can carry`;
  const { output: _output, ...rest } = answer;
  const refused: StepReply = { ...rest, ok: false, error: { message, code: StepErrorCode.PAYLOAD_TOO_LARGE, retryable: false } };
  return { answer: refused, bytes: stepReplyCodec.encode(refused) };
}
