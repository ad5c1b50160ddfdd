/**
 * Stand-ins for the engine's tests, which cannot import the squads package:
 * a squad that answers every command over the transport, and a log of the
 * lifecycle events published. Prefix `sqf`.
 */
import { lifecycleCodec, names, stepCommandCodec, stepReplyCodec, type LifecycleEvent, type StepCommand } from '@squadflow/shared';
import type { DeliveredMessage, Transport } from '@squadflow/transport';

const n = names('sqf');

/**
 * Answers each command of `squad` with `ok` and `output(command)`; returns the commands it got, as they come.
 * `seen`, if given, is told of each command with its delivered message (its headers).
 */
export async function fakeSquad(
  transport: Transport,
  squad: string,
  output: (c: StepCommand) => unknown,
  seen?: (c: StepCommand, msg: DeliveredMessage) => void,
): Promise<StepCommand[]> {
  const got: StepCommand[] = [];
  await transport.streams.consume(n.streams.commands, { durable: `fake_${squad}`, filterSubject: n.squadCommands(squad) }, async (msg) => {
    const c = stepCommandCodec.decode(msg.data);
    got.push(c);
    seen?.(c, msg);
    const { id: commandId, executionId, step, attempt, compensation } = c;
    const reply = { kind: 'reply' as const, commandId, executionId, step, attempt, compensation, ok: true, output: output(c) };
    await transport.streams.publish(n.reply(executionId), stepReplyCodec.encode(reply), { msgId: `${commandId}.reply` });
    msg.ack();
  });
  return got;
}

/** The lifecycle events published from now on, as they come. */
export async function lifecycleLog(transport: Transport): Promise<LifecycleEvent[]> {
  const seen: LifecycleEvent[] = [];
  await transport.streams.consume(n.streams.lifecycle, { durable: 'test_lc', filterSubject: n.lifecycleAll }, async (msg) => {
    seen.push(lifecycleCodec.decode(msg.data));
    msg.ack();
  });
  return seen;
}
