import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { SquadflowError, toFieldIssues } from '@squadflow/shared';
import type { ZodType } from 'zod';

/** Set by `pnpm build` (scripts/build.ts) in the bundles: where the data sits next to them (`dist/data/`). */
declare const __SQUADFLOW_BUNDLED_DATA_DIR__: string | undefined;

/**
 * `packages/squads/data/`: seed data shipped with the squads. The bundles
 * (`dist/*.mjs`, what the Docker image runs) read the copy `pnpm build` puts
 * in `dist/data/`: from a bundle, this module's URL is the bundle's.
 */
export const DATA_DIR = fileURLToPath(
  new URL(typeof __SQUADFLOW_BUNDLED_DATA_DIR__ === 'string' ? __SQUADFLOW_BUNDLED_DATA_DIR__ : '../../../data/', import.meta.url),
);

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
