/**
 * A squadflow deployment of real processes on the shared NATS server: the
 * orchestrator (`packages/engine/src/bin/orchestrator.ts`) and one
 * noop-squad process per squad, under a unique prefix. The bench process
 * registers workflows, triggers (publishing trigger messages directly, as
 * any service may) and watches lifecycle events.
 */
import { connectNatsTransport, type Transport } from '@squadflow/transport';
import { EngineClient } from '@squadflow/engine';
import { names as makeNames, PARTITIONS, triggerCodec, type Names } from '@squadflow/shared';
import { onCleanup } from './cleanup.ts';
import { Completions } from './completions.ts';
import type { RunOne } from './load.ts';
import { cleanupPrefix, connectRaw, natsUrl, redeliveries, uniquePrefix, type NatsConnection } from './nats.ts';
import { spawnNode, type Child } from './processes.ts';
import { serverCpuMs } from './server-cpu.ts';
import { readCpuMs, round } from './rss.ts';

/**
 * The orchestrator as deployed: the bundle `pnpm build` makes (run.ts builds it first), on plain Node.
 * BENCH_ORCHESTRATOR_FROM_SOURCE=1 runs the TypeScript sources through tsx instead (+~55 MB RSS).
 */
const ORCHESTRATOR_SOURCE = 'packages/engine/src/bin/orchestrator.ts';
/**
 * How the Dockerfile runs the orchestrator: a young generation of 8 MB per
 * semi-space instead of 16, and two malloc arenas. Together ~25–35 MB less
 * peak RSS under load, with no CPU cost the bench can see.
 */
const DEPLOYED_NODE_ARGS = ['--max-semi-space-size=8'];
const DEPLOYED_ENV = { MALLOC_ARENA_MAX: '2' };
const ORCHESTRATOR = process.env['BENCH_ORCHESTRATOR_FROM_SOURCE'] ? ORCHESTRATOR_SOURCE : 'dist/orchestrator.mjs';
const SQUAD = 'bench/processes/noop-squad.ts';
const EXECUTION_TIMEOUT_MS = 60_000;

export interface DeployOptions {
  label: string;
  /** Squad processes `s0..s<n-1>` (default 4). */
  squads?: number;
  squadConcurrency?: number;
  /** Other squad processes instead of the noop squads: a script, the squad names, extra environment. */
  squadProcess?: { script: string; names: string[]; env?: Record<string, string> };
}

export interface OrchestratorOptions {
  /** The TS sources, not the bundle. */
  fromSource?: boolean;
  /** Extra environment (over the deployment's and the deployed settings). */
  env?: Record<string, string>;
  /** See `SpawnOptions.onLine`. */
  onLine?: (line: string) => boolean;
}

/** CPU per completed execution since a meter started, ms (`/proc/<pid>/stat`, so it includes GC and the NATS client). */
export interface CpuPerExecution {
  executions: number;
  orchestratorMs: number;
  squadsMs: number;
  driverMs: number;
  /** The local nats-server's CPU per execution (NaN when the server is remote). */
  serverMs: number;
}

/**
 * Orchestrator replicas a scenario runs (`BENCH_ORCHESTRATORS`, default 1):
 * with 2 or more they share the partitions (docs/architecture.md,
 * "Partitions and leases"), e.g. `BENCH_ORCHESTRATORS=2 pnpm bench chain4`.
 */
export const BENCH_ORCHESTRATORS = Number(process.env['BENCH_ORCHESTRATORS'] ?? 1);

export class Deployment {
  readonly names: Names;
  orchestrator?: Child;
  /** Replicas beside `orchestrator` (`startReplicas`). */
  private replicas: Child[] = [];
  private squads: Child[] = [];
  private tag = Date.now().toString(36);
  private n = 0;
  private readonly undo: (() => Promise<void>)[] = [];

  private constructor(
    readonly prefix: string,
    readonly transport: Transport,
    readonly client: EngineClient,
    readonly nc: NatsConnection,
    readonly completions: Completions,
  ) {
    this.names = makeNames(prefix);
  }

  static async start(options: DeployOptions): Promise<Deployment> {
    const prefix = uniquePrefix(`bench_${options.label}`);
    const dropPrefix = onCleanup(`prefix ${prefix}`, () => cleanupPrefix(prefix));
    const transport = await connectNatsTransport({ servers: natsUrl(), name: `bench-driver-${prefix}` });
    const closeTransport = onCleanup('driver transport', () => transport.close());
    const nc = await connectRaw(`bench-watch-${prefix}`);
    const closeNc = onCleanup('driver connection', () => nc.close());
    const client = await EngineClient.connect({ transport, prefix });
    const d = new Deployment(prefix, transport, client, nc, new Completions(nc, makeNames(prefix), { trackCompleted: true }));
    d.undo.push(dropPrefix, closeTransport, closeNc);
    const env = d.env();
    const custom = options.squadProcess;
    const squadNames = custom?.names ?? Array.from({ length: options.squads ?? 4 }, (_, i) => `s${i}`);
    d.squads = await Promise.all(
      squadNames.map((name) =>
        spawnNode(custom?.script ?? SQUAD, {
          label: `squad ${name}`,
          env: { ...env, ...custom?.env, SQUAD_NAME: name, SQUAD_CONCURRENCY: String(options.squadConcurrency ?? 256) },
        }),
      ),
    );
    return d;
  }

  env(): Record<string, string> {
    return { SQUADFLOW_NATS_URL: natsUrl(), SQUADFLOW_PREFIX: this.prefix, SQUADFLOW_LOG_LEVEL: process.env['BENCH_LOG_LEVEL'] ?? 'warn' };
  }

  /** Starts (or restarts) the orchestrator process; `extraNodeArgs` e.g. `--cpu-prof`. */
  async startOrchestrator(extraNodeArgs: string[] = [], options: OrchestratorOptions = {}): Promise<Child> {
    // BENCH_ORCHESTRATOR_NODE_ARGS: other V8/Node flags to try on the orchestrator (space-separated), instead of the deployed ones.
    const flags = process.env['BENCH_ORCHESTRATOR_NODE_ARGS']?.split(' ').filter(Boolean) ?? DEPLOYED_NODE_ARGS;
    const nodeArgs = [...flags, ...extraNodeArgs];
    // Generous: a restart loads every stored timer one by one before it prints `ready`.
    this.orchestrator = await spawnNode(options.fromSource ? ORCHESTRATOR_SOURCE : ORCHESTRATOR, {
      label: 'orchestrator',
      env: { ...this.env(), ...DEPLOYED_ENV, ...options.env },
      nodeArgs,
      readyTimeoutMs: 600_000,
      ...(options.onLine ? { onLine: options.onLine } : {}),
    });
    return this.orchestrator;
  }

  /**
   * Starts the orchestrator replicas beyond the first up to `count` (default
   * `BENCH_ORCHESTRATORS`), and waits until the partitions are spread over
   * all of them, so the load meets the steady state, not a rebalance.
   */
  async startReplicas(count = BENCH_ORCHESTRATORS): Promise<void> {
    for (let i = 1; i < count; i++) {
      this.replicas.push(
        await spawnNode(ORCHESTRATOR, {
          label: `orchestrator ${i + 1}`,
          env: { ...this.env(), ...DEPLOYED_ENV },
          nodeArgs: DEPLOYED_NODE_ARGS,
        }),
      );
    }
    if (count <= 1) return;
    const kv = await this.transport.kv(this.names.buckets.leases);
    for (const deadline = Date.now() + 30_000; Date.now() < deadline;) {
      const owners = new Set(
        (await kv.entries('lease.*')).map((e) => (JSON.parse(new TextDecoder().decode(e.value)) as { owner: string }).owner),
      );
      if (owners.size >= count) return;
      await new Promise((resolve) => setTimeout(resolve, 200)); // the replicas' lease rounds (1 s): nothing to await
    }
    throw new Error(`the partitions did not spread over ${count} orchestrator replicas within 30 s`);
  }

  /** Messages of the orchestrators' consumers (shared and per partition) redelivered so far. */
  async inboundRedeliveries(): Promise<number> {
    const durables = [
      this.names.consumers.orchestrator,
      ...Array.from({ length: PARTITIONS }, (_, p) => this.names.consumers.partition(p)),
    ];
    const counts = await Promise.all(durables.map((durable) => redeliveries(this.nc, this.names.streams.inbound, durable)));
    // A partition no replica bound yet has no consumer (NaN): nothing redelivered there.
    return counts.reduce((sum, c) => sum + (Number.isNaN(c) ? 0 : c), 0);
  }

  /** Registers a definition; returns the version to pin triggers to (no "latest" lookup per trigger). */
  async register(definition: unknown): Promise<number> {
    return (await this.client.registerWorkflow(definition)).version;
  }

  nextId(): string {
    return `x${this.tag}${(this.n++).toString(36)}`;
  }

  /** Publishes a trigger; resolves once JetStream has stored it. */
  publishTrigger(workflow: string, version: number, executionId: string, context: Record<string, unknown>): Promise<void> {
    const message = triggerCodec.encode({ kind: 'trigger', workflow, version, executionId, context, requestedAt: Date.now() });
    return this.transport.streams.publish(this.names.trigger(workflow), message, { msgId: `trigger.${executionId}` });
  }

  /** One execution, from trigger to its `execution.completed` event. */
  runner(workflow: string, version: number, context: Record<string, unknown>): RunOne {
    return async () => {
      const id = this.nextId();
      const done = this.completions.wait(id, EXECUTION_TIMEOUT_MS);
      try {
        await this.publishTrigger(workflow, version, id, context);
      } catch (err) {
        this.completions.forget(id);
        throw err;
      }
      await done;
    };
  }

  cpuMeter(): () => CpuPerExecution {
    const cpu = (): number[] => [
      [this.orchestrator!, ...this.replicas].reduce((sum, o) => sum + readCpuMs(o.pid), 0),
      this.squads.reduce((sum, s) => sum + readCpuMs(s.pid), 0),
      process.cpuUsage().user / 1000 + process.cpuUsage().system / 1000,
      serverCpuMs(),
    ];
    const done = (): number => this.completions.count('execution.completed');
    const [o0, s0, d0, n0] = cpu();
    const c0 = done();
    return () => {
      const [o1, s1, d1, n1] = cpu();
      const executions = done() - c0;
      const per = (a: number | undefined, b: number | undefined): number => round((a! - b!) / executions, 3);
      return { executions, orchestratorMs: per(o1, o0), squadsMs: per(s1, s0), driverMs: per(d1, d0), serverMs: per(n1, n0) };
    };
  }

  async close(): Promise<void> {
    this.completions.close();
    await Promise.all([this.orchestrator, ...this.replicas, ...this.squads].map((c) => c?.stop()));
    for (const undo of this.undo.reverse()) await undo();
  }
}
