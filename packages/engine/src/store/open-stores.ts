import type { Logger, Names } from '@squadflow/shared';
import type { KvStore, Transport } from '@squadflow/transport';
import { ExecutionStore } from './execution-store.ts';
import { ExecutionIndex } from './execution-index.ts';
import { WorkflowRegistry } from './registry.ts';
import { WaitIndex } from './waits.ts';
import { CircuitBreakers } from '../breakers/circuit-breakers.ts';
import { WorkflowSlots } from './slots.ts';
import { ExecutionArchive } from '../retention/execution-archive.ts';

/** The KV buckets the engine uses, opened once per process. */
export interface EngineStores {
  executions: ExecutionStore;
  /** The listing index (keys by status, workflow and creation time): listing and counts without a scan. */
  index: ExecutionIndex;
  registry: WorkflowRegistry;
  waits: WaitIndex;
  timers: KvStore;
  breakers: CircuitBreakers;
  slots: WorkflowSlots;
  /** Ended executions that left the hot store (docs/retention.md). */
  archive: ExecutionArchive;
}

export async function openStores(transport: Transport, n: Names, logger?: Logger): Promise<EngineStores> {
  const [executions, workflows, waits, timers, breakers, slots, index, logs] = await Promise.all([
    transport.kv(n.buckets.executions),
    transport.kv(n.buckets.workflows),
    transport.kv(n.buckets.waits),
    transport.kv(n.buckets.timers),
    transport.kv(n.buckets.breakers),
    transport.kv(n.buckets.slots),
    transport.kv(n.buckets.executionIndex),
    transport.kv(n.buckets.executionLog),
  ]);
  const store = new ExecutionStore(executions);
  const listing = new ExecutionIndex(index, logs, logger, async (id) => (await store.read(id))?.record ?? null);
  store.observe(listing);
  return {
    executions: store,
    index: listing,
    registry: new WorkflowRegistry(workflows, () => transport.clock.now()),
    waits: new WaitIndex(waits),
    timers,
    breakers: new CircuitBreakers(breakers, transport.clock),
    slots: new WorkflowSlots(slots),
    archive: new ExecutionArchive(transport, n),
  };
}
