/**
 * A squad at the wire level, for gateway tests. The gateway may not import
 * `@squadflow/squads`, and its tests only need steps that answer: this
 * consumes the squad's step commands as a real squad does and publishes one
 * reply per command to the inbound stream under the same message id
 * (packages/squads/src/handle-command.ts), without the runtime's idempotency
 * records, heartbeats or schemas.
 */
import { ensureStreams, type DeliveredMessage, type Transport } from '@squadflow/transport';
import { names, StepErrorCode, stepCommandCodec, stepReplyCodec, type StepCommand, type StepError } from '@squadflow/shared';

/** Returns the step output, or throws a `StepFailure` (or any error: retryable) to fail the attempt. */
export type StandInAction = (input: unknown, command: StepCommand) => unknown;

export class StepFailure extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

/** The fixture actions gateway tests use; their behaviour is driven by the step input. */
export const fixtureActions: Record<string, StandInAction> = {
  noop: (input, command) => ({ ok: true, step: command.step, echo: input }),
  fail: (input) => {
    const { retryable = false, message = 'permanent failure' } = (input ?? {}) as { retryable?: boolean; message?: string };
    throw new StepFailure(message, retryable);
  },
  sleep: async (input) => {
    const { ms = 10 } = (input ?? {}) as { ms?: number };
    await new Promise((resolve) => setTimeout(resolve, ms));
    return { slept: ms };
  },
};

export interface StandInSquad {
  stop(): Promise<void>;
}

export async function startStandInSquad(options: {
  transport: Transport;
  prefix: string;
  squad: string;
  actions?: Record<string, StandInAction>;
}): Promise<StandInSquad> {
  const { transport, squad, actions = fixtureActions } = options;
  const n = names(options.prefix);
  await ensureStreams(transport, n);
  const answer = async (command: StepCommand): Promise<StepError | { output: unknown }> => {
    const action = actions[command.action];
    if (!action) return { message: `squad ${squad} has no action ${command.action}`, code: StepErrorCode.UNKNOWN_ACTION, retryable: false };
    try {
      return { output: await action(command.input, command) };
    } catch (err) {
      return { message: err instanceof Error ? err.message : String(err), retryable: !(err instanceof StepFailure) || err.retryable };
    }
  };
  const reply = async (msg: DeliveredMessage): Promise<void> => {
    const command = stepCommandCodec.decode(msg.data);
    const result = await answer(command);
    const value = {
      kind: 'reply' as const,
      commandId: command.id,
      executionId: command.executionId,
      step: command.step,
      attempt: command.attempt,
      compensation: command.compensation,
      ...('output' in result ? { ok: true as const, output: result.output } : { ok: false as const, error: result }),
    };
    await transport.streams.publish(n.reply(command.executionId), stepReplyCodec.encode(value), { msgId: `${command.id}.reply` });
    msg.ack();
  };
  const inFlight = new Set<Promise<void>>();
  const onMessage = (msg: DeliveredMessage): Promise<void> => {
    const work = reply(msg).finally(() => inFlight.delete(work));
    inFlight.add(work);
    return work;
  };
  const consumer = await transport.streams.consume(
    n.streams.commands,
    { durable: n.consumers.squad(squad), filterSubject: n.squadCommands(squad), ackWaitMs: 30_000 },
    onMessage,
  );
  return {
    stop: async () => {
      await consumer.stop();
      // Running actions still answer, as a real squad lets its handlers finish.
      await Promise.allSettled([...inFlight]);
    },
  };
}
