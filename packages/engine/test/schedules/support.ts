/**
 * A time-skipping engine for schedule tests: a ManualClock, the memory
 * transport and in-process orchestrators (replicas), no squads. Workflows
 * are single wait steps whose timeout sets how long a run lasts.
 */
import { silentLogger, workflow } from '@squadflow/shared';
import { createMemoryTransport, ManualClock, type MemoryTransport } from '@squadflow/transport';
import { EngineClient, Orchestrator } from '../../src/index.ts';

export const T0 = Date.UTC(2026, 0, 1);
export const HOUR = 3_600_000;

/** A workflow whose every run lasts `lasts` (a wait for a signal nobody sends, ended by its timeout). */
export function lastingWorkflow(name: string, lasts: string) {
  return workflow(name)
    .wait('hold', { signal: `never_${name}`, timeout: lasts })
    .build();
}

export interface ScheduleEnv {
  clock: ManualClock;
  transport: MemoryTransport;
  client: EngineClient;
  replicas: Orchestrator[];
  /** Starts one more orchestrator on the same transport. */
  addReplica(): Promise<Orchestrator>;
  /** Stops every orchestrator (downtime: nothing fires, nothing is lost). */
  stopAll(): Promise<void>;
  /** Lets work finish, then moves time forward by `ms`, stopping at every alarm on the way. */
  advance(ms: number): Promise<void>;
  advanceTo(at: number): Promise<void>;
  /** The slots (epoch ms) of the executions started for schedule `id`, sorted, from their idempotency keys. */
  slots(id: string): Promise<number[]>;
  close(): Promise<void>;
}

export async function scheduleEnv(options: { replicas?: number; workflows?: unknown[] } = {}): Promise<ScheduleEnv> {
  const clock = new ManualClock(T0);
  const transport = createMemoryTransport({ clock });
  const logger = silentLogger();
  const replicas: Orchestrator[] = [];
  const addReplica = async (): Promise<Orchestrator> => {
    const o = await Orchestrator.start({ transport, logger });
    replicas.push(o);
    return o;
  };
  for (let i = 0; i < (options.replicas ?? 1); i++) await addReplica();
  const client = await EngineClient.connect({ transport });
  for (const definition of options.workflows ?? []) await client.registerWorkflow(definition);

  const settle = async (): Promise<void> => {
    let quiet = 0;
    for (let round = 0; round < 10_000 && quiet < 3; round++) {
      await new Promise((resolve) => setImmediate(resolve));
      await Promise.all(replicas.map((r) => r.idle()));
      const busy = ['SQF_IN', 'SQF_CMD'].some((s) => (transport.streams.info(s)?.messages ?? 0) > 0);
      quiet = busy ? 0 : quiet + 1;
    }
  };
  const advanceTo = async (target: number): Promise<void> => {
    for (;;) {
      await settle();
      const due = clock.nextDue();
      if (due === undefined || due > target) break;
      await clock.advance(Math.max(0, due - clock.now()));
    }
    await clock.advance(Math.max(0, target - clock.now()));
    await settle();
  };
  const env: ScheduleEnv = {
    clock,
    transport,
    client,
    replicas,
    addReplica,
    stopAll: async () => {
      await settle();
      await Promise.all(replicas.splice(0).map((r) => r.stop()));
    },
    advanceTo,
    advance: (ms) => advanceTo(clock.now() + ms),
    slots: async (id) => {
      const prefix = `schedule:${id}:`;
      const executions = await client.listExecutions({ limit: 1000 });
      return executions
        .flatMap((e) => (e.idempotencyKey?.startsWith(prefix) ? [Number(e.idempotencyKey.slice(prefix.length))] : []))
        .sort((a, b) => a - b);
    },
    close: async () => {
      await Promise.all(replicas.splice(0).map((r) => r.stop()));
      await transport.close();
    },
  };
  return env;
}
