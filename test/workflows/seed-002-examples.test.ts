/**
 * Seed 002's examples (examples/seed-002, the YAML files docs/seeds.md runs):
 * a process whose steps are child workflows, created without starting and
 * started later, and a process that waits for it to end. Simulated time,
 * with the catalog's squads, as `squadflow start` runs them.
 */
import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { readDefinitionFiles } from '@squadflow/engine';
import { TestEnvironment } from '@squadflow/embedded';
import { createAgencySquad, createSeedSquads, seedWorkflows, triggerPublisher } from '@squadflow/squads/catalog';

let env: TestEnvironment | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

async function environment(): Promise<TestEnvironment> {
  const examples = (await readDefinitionFiles('examples/seed-002')).map((f) => f.definition);
  env = await TestEnvironment.create({
    squads: async (transport, prefix) => [
      ...(await createSeedSquads({ transport, prefix, env: {} })),
      createAgencySquad({ starter: triggerPublisher(transport, prefix), chain: { enabled: false } }),
    ],
    workflows: [...seedWorkflows(), ...examples],
  });
  return env;
}

describe('seed 002 examples', () => {
  it('a process created without starting runs its two child workflows once started; the process waiting on it then runs', async () => {
    const e = await environment();
    const offer = JSON.parse(await readFile('examples/handoffs/offer_to_marketing.json', 'utf8')) as unknown;
    const id = await e.client.trigger(
      'seed_002_process',
      { lead_data: { phone: '+5511988887777', name: 'Maria' }, offer },
      { start: false },
    );
    expect((await e.client.getExecution(id))?.status).toBe('pending');
    const waiter = await e.client.trigger('seed_002_after_process', {
      process_execution_id: id,
      lead_data: { phone: '+5511977776666' },
    });

    await e.client.start(id);
    const view = await e.runUntil(id);
    expect(view.status).toBe('completed');
    expect(view.children?.map((c) => c.step)).toEqual(['activate_lead', 'market_offer']);
    for (const child of view.children ?? []) {
      const childView = await e.client.getExecution(child.executionId);
      expect(childView).toMatchObject({ status: 'completed', parent: { executionId: id, step: child.step } });
    }
    expect(view.output).toMatchObject({ campaign: expect.any(Object), lead: expect.any(Object) });

    const after = await e.runUntil(waiter);
    expect(after.status).toBe('completed');
    expect(Object.fromEntries(after.steps.map((s) => [s.name, s.status]))).toEqual({
      await_process: 'completed',
      activate_lead: 'completed',
    });
    expect(after.steps.find((s) => s.name === 'await_process')!.output).toMatchObject({ executionId: id, status: 'completed' });
  });
});
