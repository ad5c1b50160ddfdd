import type { DeliveredMessage, Transport } from '@squadflow/engine';
import { stepCommandCodec, stepReplyCodec, type Logger, type Names, type StepCommand, type StepReply } from '@squadflow/shared';
import type { ActionDefinition } from './action.ts';
import { RuntimeErrorCode } from './errors.ts';
import type { IdempotencyLedger } from './idempotency.ts';
import { invokeAction, validate, type Outcome } from './invoke.ts';

/** Extend the 30 s ack wait well before it expires while a handler runs. */
const WORKING_INTERVAL_MS = 10_000;
/** Back-off before redelivery when infrastructure (KV, publish) failed. */
const RETRY_DELAY_MS = 1_000;

export interface CommandDeps {
  squad: string;
  names: Names;
  transport: Transport;
  actions: ReadonlyMap<string, ActionDefinition>;
  ledger: IdempotencyLedger;
  logger: Logger;
}

/**
 * Processes one delivered step command. Order: record `started` → handler →
 * record `done` → publish reply → ack. A crash at any point leads to a
 * redelivery that ends with the same reply and never runs the handler twice.
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
  const log = deps.logger.child({
    executionId: command.executionId,
    step: command.step,
    attempt: command.attempt,
    action: command.action,
    commandId: command.id,
  });
  try {
    await processCommand(msg, command, deps, log);
  } catch (err) {
    log.error({ err, deliveryCount: msg.deliveryCount }, 'step command failed; will be redelivered');
    msg.nak(RETRY_DELAY_MS);
  }
}

async function processCommand(msg: DeliveredMessage, command: StepCommand, deps: CommandDeps, log: Logger): Promise<void> {
  const { clock } = deps.transport;
  if (clock.now() >= command.deadline) {
    // The orchestrator has already timed this attempt out; running it would be wasted (or harmful) work.
    log.info('deadline passed before the command ran; skipped');
    msg.ack();
    return;
  }
  const action = deps.actions.get(command.action);
  if (!action) {
    const message = `squad ${deps.squad} has no action ${JSON.stringify(command.action)}`;
    await publish(
      deps,
      command,
      reply(command, { ok: false, error: { message, code: RuntimeErrorCode.UNKNOWN_ACTION, retryable: false } }),
    );
    log.warn('unknown action');
    msg.ack();
    return;
  }
  const input = validate(action.input, command.input, `input for ${deps.squad}.${command.action}`);
  if (!input.ok) {
    // Deterministic from the command alone: no record needed, a redelivery gives the same reply.
    const error = { message: input.message, code: RuntimeErrorCode.INVALID_INPUT, retryable: false };
    await publish(deps, command, reply(command, { ok: false, error }));
    log.info({ error: input.message }, 'invalid input');
    msg.ack();
    return;
  }

  const claim = await deps.ledger.claim(command.id, clock.now());
  if (claim.status !== 'claimed') {
    if (claim.status === 'done') {
      log.debug('duplicate delivery; re-publishing the stored reply');
      await publish(deps, command, claim.reply);
    } else {
      // A previous delivery started the handler and crashed, or is still running:
      // never run it twice; let the orchestrator retry as a new attempt.
      const interrupted = reply(command, {
        ok: false,
        error: {
          message: 'a previous delivery of this command started but did not finish',
          code: RuntimeErrorCode.INTERRUPTED,
          retryable: true,
        },
      });
      log.warn('command was started by a previous delivery; replying INTERRUPTED');
      await publish(deps, command, await deps.ledger.settle(command.id, interrupted, claim.revision, clock.now()));
    }
    msg.ack();
    return;
  }

  const startedAt = clock.now();
  const keepAlive = setInterval(() => msg.working(), WORKING_INTERVAL_MS);
  keepAlive.unref();
  let outcome: Outcome;
  try {
    log.debug('handler started');
    outcome = await invokeAction(
      action,
      input.value,
      {
        executionId: command.executionId,
        workflow: command.workflow,
        step: command.step,
        attempt: command.attempt,
        idempotencyKey: command.id,
        compensation: command.compensation,
        deadline: command.deadline,
        logger: log,
      },
      clock,
    );
  } finally {
    clearInterval(keepAlive);
  }
  const finishedAt = clock.now();
  const final = await deps.ledger.settle(command.id, reply(command, outcome, startedAt, finishedAt), claim.revision, finishedAt);
  await publish(deps, command, final);
  log.debug({ ok: final.ok, ms: finishedAt - startedAt }, 'handler finished; reply published');
  msg.ack();
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
  await deps.transport.streams.publish(deps.names.reply(command.executionId), stepReplyCodec.encode(value), {
    msgId: `${command.id}.reply`,
  });
}
