/**
 * The workflow registry keeps compiling off the critical section of requests
 * and events: a compile gives the event loop a turn between its phases, each
 * version is compiled once per process, and listing or reading definitions
 * compiles nothing.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_DEFINITION_STEPS, names, SquadflowError, workflow } from '@squadflow/shared';
import { createMemoryTransport, type Transport } from '@squadflow/transport';
import { EngineClient } from '../src/index.ts';
import { largeDefinitions } from './support/large-definitions.ts';

const enc = new TextEncoder();
const small = workflow('small').task('one', { squad: 'sq', action: 'a' }).build();
const atLimit = { ...largeDefinitions.chain(MAX_DEFINITION_STEPS), name: 'big' };

describe('workflow registry', () => {
  let transport: Transport;
  let client: EngineClient;
  beforeEach(async () => {
    transport = createMemoryTransport();
    client = await EngineClient.connect({ transport });
    await client.registerWorkflow(small);
  });
  afterEach(() => transport.close());

  /** Writes a version straight into the workflows bucket, as an older release (or another process) may have. */
  async function store(name: string, body: object): Promise<void> {
    const kv = await transport.kv(names('sqf').buckets.workflows);
    await kv.put(`${name}.v1`, enc.encode(JSON.stringify(body)));
    await kv.put(`${name}.latest`, enc.encode(JSON.stringify({ version: 1 })));
  }

  it(`lets other work run while a ${MAX_DEFINITION_STEPS}-step definition registers`, async () => {
    const order: string[] = [];
    const registering = client.registerWorkflow(atLimit).then(() => order.push('register'));
    // Work that comes in on the event loop's next turn (a request, another execution's event):
    // done before the registration, which gives the loop a turn between validating and compiling phases.
    const reading = new Promise((resolve) => setImmediate(resolve)).then(() => client.getWorkflow('small')).then(() => order.push('read'));
    await Promise.all([registering, reading]);
    expect(order).toEqual(['read', 'register']);
  });

  it('compiles a version once for every caller asking while it compiles', async () => {
    await client.registerWorkflow(atLimit);
    // Another process (its own cache) gets the new version from two callers at once.
    const other = await EngineClient.connect({ transport });
    const [first, second] = await Promise.all([other.getCompiledWorkflow('big', 1), other.getCompiledWorkflow('big', 1)]);
    expect(second).toBe(first);
    expect(first.version).toBe(1);
  });

  it('keeps the compile of the version it registered (the first trigger does not compile again)', async () => {
    await client.registerWorkflow(atLimit);
    // Gone from storage: only a kept compile can still answer.
    await (await transport.kv(names('sqf').buckets.workflows)).delete('big.v1');
    const compiled = await client.getCompiledWorkflow('big', 1);
    expect(compiled.plan.order).toHaveLength(MAX_DEFINITION_STEPS);
  });

  it('lists workflows without compiling them: a stored version this release refuses is listed, and refused when compiled', async () => {
    await store('cyclic', {
      name: 'cyclic',
      defaults: { timeout: '30s' },
      steps: [
        { name: 'a', type: 'task', squad: 'sq', action: 'x', dependsOn: ['b'] },
        { name: 'b', type: 'task', squad: 'sq', action: 'x', dependsOn: ['a'] },
      ],
    });
    expect(await client.listWorkflows()).toEqual([
      { name: 'cyclic', version: 1, steps: 2 },
      { name: 'small', version: 1, steps: 1 },
    ]);
    await expect(client.getCompiledWorkflow('cyclic')).rejects.toMatchObject({ code: 'INVALID_DEFINITION' });
  });

  it('refuses a stored version over the limits when it is compiled, with DEFINITION_TOO_LARGE', async () => {
    await store('huge', largeDefinitions.chain(MAX_DEFINITION_STEPS + 1));
    const err = await client.getCompiledWorkflow('huge').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SquadflowError);
    expect(err).toMatchObject({ code: 'DEFINITION_TOO_LARGE', issues: [{ path: 'steps' }] });
  });

  it('refuses a definition over the step limit before storing anything', async () => {
    await expect(client.registerWorkflow({ ...largeDefinitions.wide(MAX_DEFINITION_STEPS + 1), name: 'wide' })).rejects.toMatchObject({
      code: 'DEFINITION_TOO_LARGE',
    });
    await expect(client.getWorkflow('wide')).rejects.toMatchObject({ code: 'WORKFLOW_NOT_FOUND' });
  });
});
