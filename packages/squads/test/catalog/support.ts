import { createMemoryTransport, type Clock, type Transport } from '@squadflow/transport';
import { names, silentLogger, stepCommandCodec, stepReplyCodec, type StepCommand, type StepReply } from '@squadflow/shared';
import type { ActionContext } from '../../src/action.ts';
import type { SquadDefinition } from '../../src/define-squad.ts';
import { startSquad } from '../../src/runtime.ts';
import { Inbox } from '../harness.ts';

let sequence = 0;

/** A unique prefix per test, so buckets and streams never leak between tests. */
export function testPrefix(): string {
  return `c${Math.random().toString(36).slice(2, 10)}`;
}

/** A memory transport (with KV) and a fresh prefix. */
export function memory(clock?: Clock): { transport: Transport; prefix: string } {
  return { transport: createMemoryTransport(clock ? { clock } : {}), prefix: testPrefix() };
}

/** The context a handler gets from the runtime, for calling handlers directly. */
export function fakeContext(overrides: Partial<ActionContext> = {}): ActionContext {
  const executionId = overrides.executionId ?? `exec-${++sequence}`;
  const step = overrides.step ?? 'step';
  const attempt = overrides.attempt ?? 1;
  const base: ActionContext = {
    executionId,
    workflow: 'test_workflow',
    step,
    attempt,
    idempotencyKey: `${executionId}.${step}.${attempt}`,
    compensation: false,
    deadline: Date.now() + 60_000,
    signal: new AbortController().signal,
    logger: silentLogger(),
    heartbeat: () => undefined,
  };
  return Object.assign(base, overrides);
}

/** Runs an action's handler directly after validating the input with its schema, as the runtime does. */
export async function run(def: SquadDefinition, action: string, input: unknown, ctx: ActionContext = fakeContext()): Promise<unknown> {
  const definition = def.actions[action];
  if (!definition) throw new Error(`no action ${action} in ${def.name}`);
  const parsed = definition.input ? definition.input.parse(input) : input;
  const output = await definition.handler(parsed, ctx);
  return definition.output ? definition.output.parse(output) : output;
}

/**
 * Starts the squad with `startSquad`, publishes one step command for
 * `action` on the command stream and returns the reply the runtime publishes.
 */
export async function runThroughSquad(
  transport: Transport,
  prefix: string,
  def: SquadDefinition,
  action: string,
  input: unknown,
  overrides: Partial<StepCommand> = {},
): Promise<StepReply> {
  const n = names(prefix);
  const squad = await startSquad({ definition: def, transport, prefix, logger: silentLogger() });
  const replies = new Inbox<StepReply>();
  const consumer = await transport.streams.consume(
    n.streams.inbound,
    { durable: 'catalog_test_replies', filterSubject: n.inboundAll },
    async (msg) => {
      replies.push(stepReplyCodec.decode(msg.data));
      msg.ack();
    },
  );
  try {
    const executionId = `exec-${++sequence}`;
    const step = overrides.step ?? action;
    const command: StepCommand = {
      id: `${executionId}.${step}.1`,
      executionId,
      workflow: 'seed_workflow',
      step,
      attempt: 1,
      squad: def.name,
      action,
      compensation: false,
      input,
      deadline: Date.now() + 30_000,
      ...overrides,
    };
    await transport.streams.publish(n.command(def.name, action), stepCommandCodec.encode(command), { msgId: command.id });
    return await replies.next();
  } finally {
    await consumer.stop();
    await squad.stop();
  }
}
