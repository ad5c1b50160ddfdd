/**
 * A whole deployment for gateway tests: a transport (memory, or real NATS
 * with a unique prefix), an orchestrator, wire-level stand-in squads
 * (./stand-in-squad.ts), the engine client and a gateway (optionally
 * listening on a free port for real HTTP). Tests that need the catalog's real
 * squads live in packages/embedded/test/.
 */
import { connectNatsTransport, createMemoryTransport, type Transport } from '@squadflow/transport';
import { EngineClient, Orchestrator } from '@squadflow/engine';
import { silentLogger, workflow, type Logger, type WorkflowDefinition } from '@squadflow/shared';
import { cleanupPrefix, natsUrl, uniquePrefix } from '@squadflow/transport/testing';
import { createGateway, type Gateway, type GatewayConfig } from '../src/index.ts';
import { startStandInSquad, type StandInSquad } from './stand-in-squad.ts';

export interface Stack {
  kind: 'memory' | 'nats';
  client: EngineClient;
  transport: Transport;
  prefix: string;
  gateway: Gateway;
  /** Base URL when `listen` was asked for. */
  url: string;
  close(): Promise<void>;
}

export interface StackOptions {
  kind: 'memory' | 'nats';
  config?: Partial<GatewayConfig>;
  /** Stand-in squads answering the fixture actions `noop`, `sleep` and `fail`; default `alpha`. */
  fixtureSquads?: string[];
  workflows?: WorkflowDefinition[];
  /** Listen on 127.0.0.1 with a free port (real HTTP). */
  listen?: boolean;
  /** The gateway's logger (default: silent), e.g. one that captures lines for a test to search. */
  logger?: Logger;
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const logger = silentLogger();
  const prefix = options.kind === 'nats' ? uniquePrefix('gw') : 'sqf';
  const transport =
    options.kind === 'nats' ? await connectNatsTransport({ servers: natsUrl(), name: `test-${prefix}` }) : createMemoryTransport();
  const orchestrator = await Orchestrator.start({ transport, prefix, logger });
  const squads: StandInSquad[] = [];
  for (const squad of options.fixtureSquads ?? ['alpha']) squads.push(await startStandInSquad({ transport, prefix, squad }));
  const client = await EngineClient.connect({ transport, prefix });
  for (const definition of options.workflows ?? []) await client.registerWorkflow(definition);
  const gateway = createGateway({ client, transport, prefix, logger: options.logger ?? logger, config: { port: 0, ...options.config } });
  const url = options.listen ? await gateway.listen() : '';
  return {
    kind: options.kind,
    client,
    transport,
    prefix,
    gateway,
    url,
    close: async () => {
      await gateway.close();
      await Promise.all(squads.map((s) => s.stop()));
      await orchestrator.stop();
      await transport.close();
      if (options.kind === 'nats') await cleanupPrefix(prefix);
    },
  };
}

/** A one-step workflow on the fixture squad `alpha`. */
export function echoWorkflow(name = 'echo'): WorkflowDefinition {
  return workflow(name).task('echo', { squad: 'alpha', action: 'noop' }).build();
}

/** One step, then a wait on `order_{order_id}` (1 h). */
export function waitingWorkflow(name = 'waiter'): WorkflowDefinition {
  return workflow(name)
    .task('first', { squad: 'alpha', action: 'noop' })
    .wait('await_payment', { signal: 'order_{order_id}', timeout: '1h', dependsOn: ['first'] })
    .build();
}

/** One step sleeping `ms` (the fixture's `sleep` action). */
export function sleepyWorkflow(name = 'sleepy', ms = 1_000): WorkflowDefinition {
  return workflow(name)
    .task('nap', { squad: 'alpha', action: 'sleep', input: `{ "ms": ${ms} }` })
    .build();
}
