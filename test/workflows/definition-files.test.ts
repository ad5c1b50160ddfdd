/**
 * `workflows/` holds every seed workflow as YAML, generated from the
 * TypeScript builders by `pnpm workflows:export`. These tests keep the two in
 * step: a stale, missing or extra file fails naming the file and the command,
 * and every file reads back to exactly its builder's definition.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readDefinitionFiles } from '@squadflow/engine';
import { validateDefinition } from '@squadflow/shared';
import { seedWorkflows } from '@squadflow/squads/catalog';
import { EXPORT_COMMAND, renderWorkflowFiles, WORKFLOWS_DIR } from '../../scripts/export-workflows.ts';

describe('workflows/ (seed workflows as definition files)', () => {
  it(`matches what \`${EXPORT_COMMAND}\` writes: no stale, missing or extra file`, async () => {
    const expected = await renderWorkflowFiles();
    const onDisk = readdirSync(WORKFLOWS_DIR).filter((f) => !f.startsWith('.'));
    const problems: string[] = [];
    for (const [name, text] of expected) {
      if (!onDisk.includes(name)) problems.push(`workflows/${name} is missing`);
      else if (readFileSync(join(WORKFLOWS_DIR, name), 'utf8') !== text) problems.push(`workflows/${name} is stale`);
    }
    for (const name of onDisk) {
      if (!expected.has(name)) problems.push(`workflows/${name} is not a seed workflow (extra file)`);
    }
    expect(problems, `${problems.join('; ')}: run \`${EXPORT_COMMAND}\` and commit the result`).toEqual([]);
  });

  it('reads back (readDefinitionFiles) to exactly the definition each builder makes', async () => {
    const read = await readDefinitionFiles(WORKFLOWS_DIR);
    const builders = seedWorkflows();
    expect(read.map((f) => f.definition.name).sort()).toEqual(builders.map((d) => d.name).sort());
    for (const { file, definition } of read) {
      const builder = builders.find((d) => d.name === definition.name)!;
      expect(file, 'one file per workflow, named after it').toBe(join(WORKFLOWS_DIR, `${builder.name}.yaml`));
      expect(definition, file).toEqual(builder);
      // Registration stores the validated definition as JSON: the file and the builder are the same version.
      expect(JSON.stringify(definition), file).toBe(JSON.stringify(validateDefinition(builder)));
    }
  });
});
