/**
 * `startEmbedded({ workflowsPath })` (what `squadflow start` is wired to)
 * registers a folder of definition files after the seed workflows: an
 * unchanged seed keeps its version, a changed one gets the next, a new one
 * is created; a bad file throws naming the file and the field, before
 * anything starts.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '@squadflow/shared';
import { startEmbedded, type Embedded } from '../src/index.ts';

const SEEDS = fileURLToPath(new URL('../../../workflows/', import.meta.url));

let embedded: Embedded | undefined;
let dir: string;
afterEach(async () => {
  await embedded?.stop();
  embedded = undefined;
  rmSync(dir, { recursive: true, force: true });
});

describe('startEmbedded with workflowsPath', () => {
  it('registers the files after the seeds: unchanged, changed and new definitions', async () => {
    dir = mkdtempSync(join(tmpdir(), 'squadflow-embedded-workflows-'));
    copyFileSync(join(SEEDS, 'lead_activation.yaml'), join(dir, 'lead_activation.yaml'));
    const cart = readFileSync(join(SEEDS, 'abandoned_cart_recovery.yaml'), 'utf8');
    writeFileSync(join(dir, 'abandoned_cart_recovery.yaml'), cart.replace(/^description: .*$/m, 'description: changed here'));
    writeFileSync(join(dir, 'greet.yaml'), 'name: greet\nsteps:\n  - name: hello\n    squad: whatsapp\n    action: send_message\n');

    embedded = await startEmbedded({ prefix: 'sqf', logger: silentLogger(), workflowsPath: dir });
    expect(embedded.definitionFiles.map(({ file, name, version, created }) => [file, name, version, created])).toEqual([
      [join(dir, 'abandoned_cart_recovery.yaml'), 'abandoned_cart_recovery', 2, true],
      [join(dir, 'greet.yaml'), 'greet', 1, true],
      [join(dir, 'lead_activation.yaml'), 'lead_activation', 1, false],
    ]);
    expect(embedded.workflows).toContainEqual({ name: 'abandoned_cart_recovery', version: 2 });
    expect(embedded.workflows).toContainEqual({ name: 'greet', version: 1 });
    expect((await embedded.client.getWorkflow('abandoned_cart_recovery')).description).toBe('changed here');
  });

  it('throws naming the file, the step and the field of a bad definition, before anything starts', async () => {
    dir = mkdtempSync(join(tmpdir(), 'squadflow-embedded-workflows-'));
    const bad = join(dir, 'greet.yaml');
    writeFileSync(bad, 'name: greet\nsteps:\n  - name: hello\n    squad: whatsapp\n    action: send_message\n    retry: often\n');
    const err = await startEmbedded({ prefix: 'sqf', logger: silentLogger(), workflowsPath: dir }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'INVALID_DEFINITION' });
    expect((err as Error).message).toContain(bad);
    expect((err as Error).message).toMatch(/steps\.0\.retry: step "hello"/);
  });
});
