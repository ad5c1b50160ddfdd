/**
 * What the embedded squadflow runs: the seed squads and the seed workflows.
 * This is the one place that wires them, so the pieces other people write
 * plug in here:
 *
 * - `createSeedSquads({ transport, prefix })` from `packages/squads/src/catalog/index.ts`
 *   (the seed squads; some keep state in KV, hence the transport);
 * - `seedWorkflows` from `packages/squads/src/catalog/workflows/index.ts`;
 * - the agency handoffs (seed 001), always present.
 *
 * The first two are loaded when their file exists and reported as missing
 * otherwise. `@squadflow/squads` exports no catalog yet, so this file reads
 * the catalog's sources by path; switch to the package export once it has one.
 */
import { existsSync } from 'node:fs';
import type { Transport } from '@squadflow/engine';
import type { SquadDefinition } from '@squadflow/squads';
import { agencySquad, agencyWorkflows } from '../../squads/src/catalog/agency/index.ts';

const SEED_SQUADS = new URL('../../squads/src/catalog/index.ts', import.meta.url);
const SEED_WORKFLOWS = new URL('../../squads/src/catalog/workflows/index.ts', import.meta.url);

export interface Catalog {
  squads: SquadDefinition[];
  /** Workflow definitions (plain JSON), registered as they are. */
  workflows: unknown[];
  /** Parts that are not there yet, said in a sentence each. */
  missing: string[];
}

/** Imports a module of the catalog when its file exists; a file with errors still throws (that is a bug to see). */
async function optionalModule(url: URL): Promise<Record<string, unknown> | undefined> {
  if (!existsSync(url)) return undefined;
  return (await import(url.href)) as Record<string, unknown>;
}

/** Arrays stay arrays; a record of definitions becomes its values. */
function listOf<T>(value: unknown): T[] {
  if (Array.isArray(value)) return value as T[];
  if (value && typeof value === 'object') return Object.values(value) as T[];
  return [];
}

function nameOf(definition: unknown): string {
  return String((definition as { name?: unknown }).name);
}

/** Keeps the first definition of each name: the catalog's own wins over the agency fallback. */
function byName<T>(items: T[]): T[] {
  const first = new Map<string, T>();
  for (const item of items) if (!first.has(nameOf(item))) first.set(nameOf(item), item);
  return [...first.values()];
}

async function seedSquads(options: { transport: Transport; prefix: string }, missing: string[]): Promise<SquadDefinition[]> {
  const mod = await optionalModule(SEED_SQUADS);
  const create = mod?.['createSeedSquads'];
  if (typeof create !== 'function') {
    missing.push('seed squads: packages/squads/src/catalog/index.ts does not export createSeedSquads yet (only the agency squad runs)');
    return [];
  }
  return listOf<SquadDefinition>(await (create as (o: typeof options) => unknown)(options));
}

async function seedWorkflows(missing: string[]): Promise<unknown[]> {
  const mod = await optionalModule(SEED_WORKFLOWS);
  if (!mod || !('seedWorkflows' in mod)) {
    missing.push(
      'seed workflows: packages/squads/src/catalog/workflows/index.ts does not export seedWorkflows yet (only the agency handoffs are registered)',
    );
    return [];
  }
  const value = mod['seedWorkflows'];
  return listOf(typeof value === 'function' ? await (value as () => unknown)() : value);
}

/** Every seed squad and workflow available in this checkout. */
export async function loadCatalog(options: { transport: Transport; prefix: string }): Promise<Catalog> {
  const missing: string[] = [];
  const squads = byName([...(await seedSquads(options, missing)), agencySquad as SquadDefinition]);
  const workflows = byName([...(await seedWorkflows(missing)), ...agencyWorkflows]);
  return { squads, workflows, missing };
}

/** The agency squad needs no transport to be defined, so `squadflow squad agency` does not need the catalog. */
export const AGENCY: SquadDefinition = agencySquad;
