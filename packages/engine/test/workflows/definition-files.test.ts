import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SquadflowError } from '@squadflow/shared';
import { readDefinitionFiles } from '../../src/workflows/definition-files.ts';

const GOOD = `name: greet
steps:
  - name: hello
    squad: whatsapp
    action: send_message
`;

describe('readDefinitionFiles', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sqf-defs-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads every YAML and JSON file of a folder and its subfolders, sorted, skipping hidden entries and other files', async () => {
    await mkdir(join(dir, 'more'));
    await mkdir(join(dir, '.hidden'));
    await writeFile(join(dir, 'b.yaml'), GOOD);
    await writeFile(join(dir, 'more', 'a.json'), JSON.stringify({ name: 'other', steps: [{ name: 's', squad: 'q', action: 'a' }] }));
    await writeFile(join(dir, '.hidden', 'x.yaml'), 'not: [valid');
    await writeFile(join(dir, 'notes.txt'), 'ignored');
    const read = await readDefinitionFiles(dir);
    expect(read.map((r) => [r.file, r.definition.name])).toEqual([
      [join(dir, 'b.yaml'), 'greet'],
      [join(dir, 'more', 'a.json'), 'other'],
    ]);
  });

  it('names the file, the step and the field of an invalid definition', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(file, GOOD.replace('    action: send_message\n', '    action: send_message\n    timeout: soon\n'));
    const err = await readDefinitionFiles(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SquadflowError);
    expect((err as SquadflowError).code).toBe('INVALID_DEFINITION');
    expect((err as SquadflowError).message).toContain(`${file}: invalid workflow definition "greet"`);
    expect((err as SquadflowError).issues).toEqual([
      expect.objectContaining({ path: 'steps.0.timeout', message: expect.stringContaining('step "hello"') }),
    ]);
  });

  it('refuses two files defining the same workflow, a missing path and an empty folder', async () => {
    await writeFile(join(dir, 'a.yaml'), GOOD);
    await writeFile(join(dir, 'b.yml'), GOOD);
    await expect(readDefinitionFiles(dir)).rejects.toThrow(/b\.yml: workflow "greet" is also defined in .*a\.yaml/);
    await expect(readDefinitionFiles(join(dir, 'nope'))).rejects.toThrow(/nope: no such file or folder/);
    const empty = join(dir, 'empty');
    await mkdir(empty);
    await expect(readDefinitionFiles(empty)).rejects.toThrow(/no \.yaml, \.yml or \.json definition files/);
  });
});
