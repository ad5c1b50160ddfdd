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
    if (err instanceof SquadflowError && !err.message.startsWith(file)) {
      // Validation errors do not know the file; the reader of a folder needs it.
      const listed = err.issues.length ? `: ${err.issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}` : '';
      const own = err.message.endsWith(listed) ? err.message.slice(0, err.message.length - listed.length) : err.message;
      throw new SquadflowError(err.code, `${file}: ${own}`, err.issues, { cause: err });
    }
    throw err;
  }
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
