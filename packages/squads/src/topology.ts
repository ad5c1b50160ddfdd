import type { StreamConfig } from '@squadflow/engine';
import type { Names } from '@squadflow/shared';

/**
 * The streams a squad touches: it consumes `commands` and publishes replies
 * to `inbound`. The orchestrator ensures the same streams at start, and on
 * NATS `ensure` refuses a different retention and rewrites differing limits,
 * so these configs must equal the engine's `streamConfigs` (topology.ts);
 * test/topology.test.ts guards that.
 */
export function squadStreamConfigs(n: Names): StreamConfig[] {
  return [
    { name: n.streams.commands, subjects: [n.commandsAll], retention: 'workqueue', duplicateWindowMs: 120_000 },
    { name: n.streams.inbound, subjects: [n.inboundAll], retention: 'workqueue', duplicateWindowMs: 120_000 },
  ];
}
