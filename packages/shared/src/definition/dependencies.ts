import type { Dependency } from './schema.ts';

/** The step a dependency points at. */
export function dependencyName(dep: Dependency): string {
  return typeof dep === 'string' ? dep : dep.step;
}
