import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { SquadflowError, toFieldIssues } from '@squadflow/shared';
import type { ZodType } from 'zod';

/** `packages/squads/data/`: seed data shipped with the squads (the Docker image copies it with the sources). */
export const DATA_DIR = fileURLToPath(new URL('../../../data/', import.meta.url));

/** Absolute path of a file in {@link DATA_DIR}. */
export function dataFile(name: string): string {
  return `${DATA_DIR}${name}`;
}

/**
 * Reads and validates a JSON data file. A bad file fails startup with
 * `INVALID_CONFIG` naming the file and the fields at fault, rather than
 * failing steps later.
 */
export async function readDataFile<T>(path: string, schema: ZodType<T>): Promise<T> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new SquadflowError('INVALID_CONFIG', `cannot read data file ${path}: ${(err as Error).message}`, [], { cause: err });
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new SquadflowError('INVALID_CONFIG', `invalid data file ${path}`, toFieldIssues(parsed.error.issues));
  return parsed.data;
}
