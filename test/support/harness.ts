/**
 * A whole squadflow in one test process: transport (memory or real NATS), an
 * orchestrator (actors kept warm, or evicted after every event so each event
 * restores the execution from storage through JSON), in-process squads with
 * counting fixture actions, and the engine client.
 */
import { createMemoryTransport, type Transport } from '@squadflow/transport';
import { EngineClient, Orchestrator } from '@squadflow/engine';
import { silentLogger } from '@squadflow/shared';
import { defineSquad, NonRetryableError, startSquad, type ActionContext, type RunningSquad } from '@squadflow/squads';
import { withNatsTransport } from '@squadflow/transport/testing';

export type HarnessKind = 'memory' | 'nats';

export interface Invocation {
  squad: string;
  action: string;
  executionId: string;
  step: string;
  attempt: number;
  compensation: boolean;
  input: unknown;
  at: number;
}

export interface Harness {
  client: EngineClient;
  transport: Transport;
  prefix: string;
  invocations: Invocation[];
  orchestrator: Orchestrator;
  /** Starts another in-process replica of the fixture squad `name`. */
  addSquad(name: string): Promise<RunningSquad>;
  close(): Promise<void>;
}

/** Fixture actions; their behaviour is driven by the step input. */
export function fixtureActions(squad: string, invocations: Invocation[]) {
  const record = (action: string, input: unknown, ctx: ActionContext): void => {
    invocations.push({
      squad,
      action,
      executionId: ctx.executionId,
      step: ctx.step,
      attempt: ctx.attempt,
      compensation: ctx.compensation,
      input,
      at: Date.now(),
    });
  };
  return {
    noop: (input: unknown, ctx: ActionContext) => {
      record('noop', input, ctx);
      return { ok: true, step: ctx.step, echo: input };
    },
    flaky: (input: unknown, ctx: ActionContext) => {
      record('flaky', input, ctx);
      const { failAttempts = 1 } = (input ?? {}) as { failAttempts?: number };
      if (ctx.attempt <= failAttempts) throw new Error(`flaky failure on attempt ${ctx.attempt}`);
      return { attempt: ctx.attempt };
    },
    fail: (input: unknown, ctx: ActionContext) => {
      record('fail', input, ctx);
      const { retryable = false, message = 'permanent failure' } = (input ?? {}) as { retryable?: boolean; message?: string };
      throw retryable ? new Error(message) : new NonRetryableError(message);
    },
    sleep: async (input: unknown, ctx: ActionContext) => {
      record('sleep', input, ctx);
      const { ms = 10 } = (input ?? {}) as { ms?: number };
      await new Promise((resolve) => setTimeout(resolve, ms));
      return { slept: ms };
    },
    compensate: (input: unknown, ctx: ActionContext) => {
      record('compensate', input, ctx);
      return { compensated: ctx.step };
    },
  };
}

export async function createHarness(kind: HarnessKind, options: { evict: boolean; squads?: string[] }): Promise<Harness> {
  let transport: Transport;
  let prefix: string;
  let cleanup: () => Promise<void>;
  if (kind === 'nats') {
    const t = await withNatsTransport('wf');
    transport = t.transport;
    prefix = t.prefix;
    cleanup = t.cleanup;
  } else {
    transport = createMemoryTransport();
    prefix = 'sqf';
    cleanup = () => transport.close();
  }
  const logger = silentLogger();
  const invocations: Invocation[] = [];
  const orchestrator = await Orchestrator.start({ transport, prefix, logger, evictAfterEvent: options.evict });
  const squads: RunningSquad[] = [];
  const addSquad = async (name: string): Promise<RunningSquad> => {
    const squad = await startSquad({
      definition: defineSquad({ name, actions: fixtureActions(name, invocations) }),
      transport,
      prefix,
      logger,
    });
    squads.push(squad);
    return squad;
  };
  for (const name of options.squads ?? ['alpha', 'beta']) await addSquad(name);
  const client = await EngineClient.connect({ transport, prefix });
  return {
    client,
    transport,
    prefix,
    invocations,
    orchestrator,
    addSquad,
    close: async () => {
      await Promise.all(squads.map((s) => s.stop()));
      await orchestrator.stop();
      await cleanup();
    },
  };
}
