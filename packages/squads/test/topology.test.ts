import { names } from '@squadflow/shared';
import { describe, expect, it } from 'vitest';
// Relative import: the engine does not export its topology, and the two must not drift.
import { streamConfigs } from '../../engine/src/topology.ts';
import { squadStreamConfigs } from '../src/topology.ts';

describe('squadStreamConfigs', () => {
  it('ensures the commands and inbound streams with exactly the configs the orchestrator ensures', () => {
    const n = names('t_topology');
    const engine = new Map(streamConfigs(n).map((c) => [c.name, c]));
    for (const config of squadStreamConfigs(n)) expect(config).toEqual(engine.get(config.name));
    expect(
      squadStreamConfigs(n)
        .map((c) => c.name)
        .sort(),
    ).toEqual([n.streams.commands, n.streams.inbound].sort());
  });
});
