/**
 * The allowed arrows between the workspace packages (docs/architecture.md).
 * `may`: the packages of ours it may import (by name, through their declared
 * `exports`) and depend on in package.json; `anything` for the wiring packages.
 * `never`: import prefixes it may not use even from third parties.
 * Root test/, bench/, examples/ and scripts/ may import anything, by name.
 */
export const RULES = {
  shared: { may: [] },
  transport: { may: ['shared'] },
  engine: { may: ['shared', 'transport'], never: ['@nats-io/'] },
  squads: { may: ['shared', 'transport'] },
  gateway: { may: ['shared', 'transport', 'engine'] },
  embedded: { may: 'anything' },
  cli: { may: 'anything' },
} as const satisfies Record<string, Rule>;

export interface Rule {
  may: readonly string[] | 'anything';
  never?: readonly string[];
}

/** The npm scope of the workspace packages: `@squadflow/<folder>`. */
export const SCOPE = '@squadflow/';
