/**
 * The orchestrator process registers a folder of definition files at boot
 * (`SQUADFLOW_WORKFLOWS`), as the compose deployment does with `workflows/`:
 * every seed workflow is there once it prints `ready`; two replicas booting
 * at once end with one version per workflow; a bad file exits 2 naming the
 * variable, the file, the step and the field, with nothing registered.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EngineClient } from '@squadflow/engine';
import { names } from '@squadflow/shared';
import { seedWorkflows } from '@squadflow/squads/catalog';
import { connectNatsTransport, type Transport } from '@squadflow/transport';
import { type ChildHandle, cleanupPrefix, natsUrl, spawnTsProcess, uniquePrefix } from '@squadflow/transport/testing';

const ORCHESTRATOR = 'packages/engine/src/bin/orchestrator.ts';
const seedNames = seedWorkflows()
  .map((d) => d.name)
  .sort();

let prefix: string;
let transport: Transport | undefined;
const children: ChildHandle[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(children.splice(0).map((c) => c.stop()));
  await transport?.close();
  transport = undefined;
  await cleanupPrefix(prefix);
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function orchestrator(workflows: string): Promise<ChildHandle> {
  const env = { SQUADFLOW_NATS_URL: natsUrl(), SQUADFLOW_PREFIX: prefix, SQUADFLOW_LOG_LEVEL: 'info', SQUADFLOW_WORKFLOWS: workflows };
  return spawnTsProcess(ORCHESTRATOR, env, { label: `orchestrator ${prefix}` }).then((child) => {
    children.push(child);
    return child;
  });
}

async function client(): Promise<EngineClient> {
  transport = await connectNatsTransport({ servers: natsUrl() });
  return EngineClient.connect({ transport, prefix });
}

/** Every stored version key (`<name>.v<n>`) of the prefix's workflows bucket. */
async function storedVersions(): Promise<string[]> {
  const kv = await transport!.kv(names(prefix).buckets.workflows);
  return (await kv.keys('*.*')).filter((k) => !k.endsWith('.latest')).sort();
}

describe('orchestrator process with SQUADFLOW_WORKFLOWS', () => {
  it('registers every seed workflow of workflows/ before it reports ready', async () => {
    prefix = uniquePrefix('wfdir');
    await orchestrator('workflows/');
    const c = await client();
    const listed = await c.listWorkflows();
    expect(listed.map((w) => [w.name, w.version])).toEqual(seedNames.map((n) => [n, 1]));
    for (const definition of seedWorkflows()) expect(await c.getWorkflow(definition.name)).toEqual({ ...definition, version: 1 });
  });

  it('two replicas booting at once with the same folder leave one version of each workflow', async () => {
    prefix = uniquePrefix('wfdir2');
    await Promise.all([orchestrator('workflows/'), orchestrator('workflows/')]);
    const c = await client();
    expect((await c.listWorkflows()).map((w) => [w.name, w.version])).toEqual(seedNames.map((n) => [n, 1]));
    expect(await storedVersions()).toEqual(seedNames.map((n) => `${n}.v1`));
  });

  it('exits 2 on a bad file, naming SQUADFLOW_WORKFLOWS, the file, the step and the field, and registers nothing', async () => {
    prefix = uniquePrefix('wfbad');
    const dir = mkdtempSync(join(tmpdir(), 'squadflow-workflows-'));
    dirs.push(dir);
    // A good file sorted before the bad one: it must not be registered either.
    cpSync('workflows/abandoned_cart_recovery.yaml', join(dir, 'abandoned_cart_recovery.yaml'));
    const bad = join(dir, 'stock_emergency.yaml');
    const text = readFileSync('workflows/stock_emergency.yaml', 'utf8');
    writeFileSync(bad, text.replace('    action: analyze_critical_stock\n', '    action: analyze_critical_stock\n    timeout: soon\n'));
    expect(readFileSync(bad, 'utf8')).not.toBe(text);

    const failure = await orchestrator(dir).then(
      () => null,
      (err: Error) => err.message,
    );
    expect(failure).toContain('exited with 2 before printing "ready"');
    expect(failure).toContain('SQUADFLOW_WORKFLOWS');
    expect(failure).toContain(bad);
    expect(failure).toMatch(/steps\.0\.timeout: step "analyze_stock_situation"/);
    const c = await client();
    expect(await c.listWorkflows()).toEqual([]);
  });
});
