/**
 * Two processes registering the same definitions at the same moment (two
 * orchestrator replicas booting with one SQUADFLOW_WORKFLOWS folder) end
 * with one version per definition: the registry writes `<name>.v<n>` before
 * moving `<name>.latest` with a compare-and-set, and the loser of that
 * compare-and-set reads again and finds its definition already stored.
 * On NATS, with one connection per registering client.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { names, workflow, type WorkflowDefinition } from '@squadflow/shared';
import { connectNatsTransport, type Transport } from '@squadflow/transport';
import { cleanupPrefix, natsUrl, uniquePrefix } from '@squadflow/transport/testing';
import { EngineClient } from '../src/index.ts';

const definitions: WorkflowDefinition[] = Array.from({ length: 5 }, (_, i) =>
  workflow(`flow_${i}`)
    .task('first', { squad: 'sq', action: 'a' })
    .task('second', { squad: 'sq', action: 'b', dependsOn: ['first'] })
    .build(),
);

describe('workflow registry: concurrent registrations on NATS', () => {
  const opened: Transport[] = [];
  let prefix = '';
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((t) => t.close()));
    if (prefix) await cleanupPrefix(prefix);
  });

  async function replicas(count: number): Promise<EngineClient[]> {
    prefix = uniquePrefix('regcas');
    const transports = await Promise.all(Array.from({ length: count }, () => connectNatsTransport({ servers: natsUrl() })));
    opened.push(...transports);
    return Promise.all(transports.map((transport) => EngineClient.connect({ transport, prefix })));
  }

  async function storedVersions(): Promise<string[]> {
    const kv = await opened[0]!.kv(names(prefix).buckets.workflows);
    return (await kv.keys('*.*')).filter((k) => !k.endsWith('.latest')).sort();
  }

  it('gives the same definitions registered by two clients at once one version each, created by exactly one', async () => {
    const [a, b] = await replicas(2);
    const [fromA, fromB] = await Promise.all([a!, b!].map((c) => Promise.all(definitions.map((d) => c.registerWorkflow(d)))));
    for (const [i, d] of definitions.entries()) {
      expect([fromA![i], fromB![i]].map((r) => r!.version)).toEqual([1, 1]);
      expect([fromA![i]!.created, fromB![i]!.created].filter(Boolean), d.name).toHaveLength(1);
    }
    expect(await storedVersions()).toEqual(definitions.map((d) => `${d.name}.v1`).sort());
    expect((await a!.listWorkflows()).map((w) => [w.name, w.version])).toEqual(definitions.map((d) => [d.name, 1]));
  });

  it('gives a changed definition registered by three clients at once one new version', async () => {
    const clients = await replicas(3);
    await clients[0]!.registerWorkflow(definitions[0]!);
    const changed = { ...definitions[0]!, description: 'changed' };
    const results = await Promise.all(clients.map((c) => c.registerWorkflow(changed)));
    expect(results.map((r) => r.version)).toEqual([2, 2, 2]);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(await storedVersions()).toEqual(['flow_0.v1', 'flow_0.v2']);
    expect((await clients[1]!.getWorkflow('flow_0')).description).toBe('changed');
  });
});
