import { readFile } from 'node:fs/promises';
import { SquadflowError, type FieldIssue } from '@squadflow/shared';
import { CliError, ExitCode } from './exit-codes.ts';
import type { Remote } from './remote/index.ts';
import { didYouMean } from './suggest.ts';

/** A trigger context and where it came from (`in.json`, `--data`), to name in errors. */
export interface ContextInput {
  source: string;
  context: Record<string, unknown>;
}

/** Parses JSON that must be an object; errors name the source (and the position, as JSON.parse gives it). */
export function parseJsonObject(text: string, source: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new CliError(ExitCode.USAGE, `${source}: invalid JSON: ${(err as Error).message}`, [], 'INVALID_JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new CliError(
      ExitCode.USAGE,
      `${source}: expected a JSON object, got ${Array.isArray(value) ? 'an array' : JSON.stringify(value)}`,
      [],
      'INVALID_JSON',
    );
  }
  return value as Record<string, unknown>;
}

/** `--input <file>` or `--data <json>` (not both); neither means `{}`. */
export async function readContext(options: { input?: string | undefined; data?: string | undefined }): Promise<ContextInput> {
  if (options.input !== undefined && options.data !== undefined) {
    throw new CliError(ExitCode.USAGE, 'give the context with --input <file> or --data <json>, not both');
  }
  if (options.data !== undefined) return { source: '--data', context: parseJsonObject(options.data, '--data') };
  if (options.input === undefined) return { source: '(empty context)', context: {} };
  let text: string;
  try {
    text = await readFile(options.input, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (err as Error).message;
    throw new CliError(ExitCode.USAGE, `${options.input}: cannot read input: ${why}`, [], 'INPUT_UNREADABLE');
  }
  return { source: options.input, context: parseJsonObject(text, options.input) };
}

/** A field issue as people read it: `product_name: Required` (the input file's fields, without the `context.` prefix). */
export function readableIssue(issue: FieldIssue): { path: string; message: string } {
  return { path: issue.path.replace(/^context\.?/, '') || '(root)', message: issue.message };
}

/** Re-throws a trigger's INVALID_CONTEXT as a usage error naming the source and each field: `in.json: product_name: Required`. */
export function explainContextError(err: unknown, input: ContextInput, workflow: string): never {
  if (err instanceof SquadflowError && err.code === 'INVALID_CONTEXT') {
    const issues = err.issues.map(readableIssue);
    throw new CliError(
      ExitCode.USAGE,
      `${input.source}: invalid input for workflow "${workflow}"`,
      issues.map((i) => `${input.source}: ${i.path}: ${i.message}`),
      'INVALID_CONTEXT',
      issues,
    );
  }
  throw err;
}

/**
 * Re-throws `WORKFLOW_NOT_FOUND` with the registered workflows and the
 * nearest name (`did you mean "offer_to_marketing"?`); anything else as is.
 */
export async function explainUnknownWorkflow(err: unknown, remote: Pick<Remote, 'listWorkflows'>, workflow: string): Promise<never> {
  if (!(err instanceof SquadflowError && err.code === 'WORKFLOW_NOT_FOUND')) throw err;
  const names = await remote.listWorkflows().then(
    (list) => list.map((w) => w.name),
    () => undefined,
  );
  const known = names === undefined ? [] : [names.length ? `registered workflows: ${names.join(', ')}` : 'no workflows are registered'];
  throw new CliError(ExitCode.NOT_FOUND, `${err.message}${didYouMean(workflow, names ?? [])}`, known, err.code, err.issues);
}

/** A trigger's errors as people read them: the input's fields at fault, or the workflows there are. */
export async function explainTriggerError(
  err: unknown,
  input: ContextInput,
  workflow: string,
  remote: Pick<Remote, 'listWorkflows'>,
): Promise<never> {
  if (err instanceof SquadflowError && err.code === 'INVALID_CONTEXT') explainContextError(err, input, workflow);
  return explainUnknownWorkflow(err, remote, workflow);
}
