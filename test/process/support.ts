/**
 * A squadflow deployment made of real OS processes on the shared NATS server:
 * one orchestrator process and one process per squad (the fixture squad),
 * plus an engine client in the test process to register, trigger and query.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineClient } from '@squadflow/engine';
import { connectNatsTransport, type Transport } from '@squadflow/transport';
import {
  type ChildHandle,
  cleanupPrefix,
  type Invocation,
  natsUrl,
  readInvocations,
  spawnTsProcess,
  uniquePrefix,
} from '@squadflow/transport/testing';

const ORCHESTRATOR = 'packages/engine/src/bin/orchestrator.ts';
const BUNDLED_ORCHESTRATOR = 'dist/orchestrator.mjs';
const SQUAD = 'test/process/fixtures/squad-process.ts';
const CLI = 'packages/cli/src/main.ts';

export interface Deployment {
  prefix: string;
  client: EngineClient;
  transport: Transport;
  orchestrator: ChildHandle;
  squads: ChildHandle[];
  /** The environment every process of the deployment runs with. */
  env: Record<string, string>;
  startOrchestrator(): Promise<ChildHandle>;
  invocations(): Invocation[];
  close(): Promise<void>;
}

export interface DeployOptions {
  /** Run the seed catalog's squads through the CLI (`squadflow squad <name>`) instead of the fixture squad. */
  seedSquads?: boolean;
  /**
   * Run the orchestrator from a built bundle instead of the sources: `true` for `dist/orchestrator.mjs`
   * (`pnpm build`), or the bundle's path (a test that builds its own, out of other test files' way).
   */
  bundledOrchestrator?: boolean | string;
  /** NATS server for every process of the deployment (default: the suite's shared server). */
  natsUrl?: string;
  /**
   * NATS server for the test process's own client and recorder (default:
   * `natsUrl`): a partition test observes the server directly while the
   * services reach it through a proxy.
   */
  clientNatsUrl?: string;
  /** Extra environment for the orchestrator processes (failpoints, AckWait...). */
  orchestratorEnv?: Record<string, string>;
  /** Extra environment for the squad processes: the fixture squads (e.g. SQUAD_CONCURRENCY) or the seed squads (e.g. WHATSAPP_LLM_*). */
  squadEnv?: Record<string, string>;
}

export async function deploy(label: string, squadNames: string[], options: DeployOptions = {}): Promise<Deployment> {
  const prefix = uniquePrefix(label);
  const dir = mkdtempSync(join(tmpdir(), 'squadflow-'));
  const log = join(dir, 'invocations.jsonl');
  const url = options.natsUrl ?? natsUrl();
  const env = { SQUADFLOW_NATS_URL: url, SQUADFLOW_PREFIX: prefix, SQUADFLOW_LOG_LEVEL: 'warn', INVOCATION_LOG: log };
  const transport = await connectNatsTransport({ servers: options.clientNatsUrl ?? url });
  const client = await EngineClient.connect({ transport, prefix });
  const children: ChildHandle[] = [];
  const startOrchestrator = async (): Promise<ChildHandle> => {
    const bundled = options.bundledOrchestrator;
    const script = typeof bundled === 'string' ? bundled : bundled ? BUNDLED_ORCHESTRATOR : ORCHESTRATOR;
    const child = await spawnTsProcess(script, { ...env, ...options.orchestratorEnv }, { label: `orchestrator ${prefix}` });
    children.push(child);
    d.orchestrator = child;
    return child;
  };
  const squads = await Promise.all(
    squadNames.map((squad) =>
      options.seedSquads
        ? spawnTsProcess(CLI, { ...env, ...options.squadEnv }, { label: `squad ${squad}`, args: ['squad', squad] })
        : spawnTsProcess(SQUAD, { ...env, ...options.squadEnv, SQUAD_NAME: squad }, { label: `squad ${squad}` }),
    ),
  );
  children.push(...squads);
  const d: Deployment = {
    prefix,
    client,
    transport,
    orchestrator: undefined as unknown as ChildHandle,
    squads,
    env,
    startOrchestrator,
    invocations: () => readInvocations(log),
    close: async () => {
      // `squads` too: a test that restarts a squad puts the replacement there (squad-faults C1 left it running).
      await Promise.all([...new Set([...children, ...d.squads])].map((c) => c.stop()));
      await transport.close();
      if (!options.natsUrl) await cleanupPrefix(prefix); // a test-owned server is removed with its store
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await startOrchestrator();
  return d;
}
