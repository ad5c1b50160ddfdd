/**
 * Reads workflow definition files (YAML or JSON) from a file or a folder:
 * what `squadflow workflows apply` and the orchestrator's
 * `SQUADFLOW_WORKFLOWS` load. Every file is parsed and validated before any
 * is returned, so a bad file registers nothing; its error names the file
 * (and, through the definition's own issues, the step and the field).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { formatOf, parseDefinition, SquadflowError, type WorkflowDefinition } from '@squadflow/shared';
import { compileWorkflowAsync } from '../compile/index.ts';

/** One definition and the file it came from. */
export interface DefinitionFile {
  /** The path as given (a folder's files: joined to it). */
  file: string;
  definition: WorkflowDefinition;
}

const DEFINITION_FILE = /\.(ya?ml|json)$/i;

/**
 * The definitions in `path`: the file itself, or every `.yaml`, `.yml` and
 * `.json` file in the folder and its subfolders (sorted by path; hidden
 * entries skipped). Throws `INVALID_DEFINITION` naming the file for the first
 * bad one, `INVALID_ARGUMENT` for a missing path, an empty folder or two files
 * defining the same workflow.
 */
export async function readDefinitionFiles(path: string): Promise<DefinitionFile[]> {
  const info = await stat(path).catch((err: NodeJS.ErrnoException) => {
    throw new SquadflowError('INVALID_ARGUMENT', `${path}: ${err.code === 'ENOENT' ? 'no such file or folder' : err.message}`);
  });
  const files = info.isDirectory() ? await definitionFilesIn(path) : [path];
  if (files.length === 0) throw new SquadflowError('INVALID_ARGUMENT', `${path}: no .yaml, .yml or .json definition files in this folder`);
  const read: DefinitionFile[] = [];
  const seen = new Map<string, string>();
  for (const file of files) {
    const definition = await readDefinitionFile(file);
    const earlier = seen.get(definition.name);
    if (earlier !== undefined) {
      throw new SquadflowError('INVALID_ARGUMENT', `${file}: workflow "${definition.name}" is also defined in ${earlier}`, [
        { path: 'name', message: `duplicate workflow name "${definition.name}"` },
      ]);
    }
    seen.set(definition.name, file);
    read.push({ file, definition });
  }
  return read;
}

/** One file, parsed by its extension and validated; errors carry the file name in their message. */
export async function readDefinitionFile(file: string): Promise<WorkflowDefinition> {
  const format = formatOf(file);
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new SquadflowError('INVALID_ARGUMENT', `${file}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`);
  });
  try {
    return parseDefinition(text, format, file);
  } catch (err) {
    throw inFile(file, err);
  }
}

/** Validation and compile errors do not know the file; the reader of a folder needs it (issues kept as they are). */
function inFile(file: string, err: unknown): unknown {
  if (!(err instanceof SquadflowError) || err.message.startsWith(file)) return err;
  const listed = err.issues.length ? `: ${err.issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}` : '';
  const own = err.message.endsWith(listed) ? err.message.slice(0, err.message.length - listed.length) : err.message;
  return new SquadflowError(err.code, `${file}: ${own}`, err.issues, { cause: err });
}

/** What registering one file gave (`created` false: an unchanged definition kept its version). */
export interface RegisteredDefinitionFile {
  file: string;
  name: string;
  version: number;
  created: boolean;
}

/**
 * `readDefinitionFiles`, then every definition compiled as registering it
 * would: what a process loads before registering any, so that a bad file
 * (its error naming the file, the step and the field) registers nothing.
 */
export async function loadDefinitionFiles(path: string): Promise<DefinitionFile[]> {
  const files = await readDefinitionFiles(path);
  for (const { file, definition } of files) {
    await compileWorkflowAsync(definition, 1).catch((err: unknown) => {
      throw inFile(file, err);
    });
  }
  return files;
}

/**
 * Registers loaded definition files with `register`
 * (`EngineClient.registerWorkflow`), one after the other, in file order. An
 * unchanged definition keeps its version, and processes registering the same
 * files at once end with one version per definition (the registry's
 * compare-and-set on `<name>.latest`).
 */
export async function registerDefinitionFiles(
  files: readonly DefinitionFile[],
  register: (definition: WorkflowDefinition) => Promise<{ name: string; version: number; created: boolean }>,
): Promise<RegisteredDefinitionFile[]> {
  const registered: RegisteredDefinitionFile[] = [];
  for (const { file, definition } of files) registered.push({ file, ...(await register(definition)) });
  return registered;
}

async function definitionFilesIn(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter(
      (e) =>
        e.isFile() &&
        DEFINITION_FILE.test(e.name) &&
        !relative(dir, join(e.parentPath, e.name))
          .split(/[\\/]/)
          .some((p) => p.startsWith('.')),
    )
    .map((e) => join(e.parentPath, e.name))
    .sort();
}
