/**
 * Whether `<root>/dist/squadflow.mjs` (the CLI bundle `pnpm build` makes) is
 * newer than everything it is built from: every workspace package's sources
 * and manifest, the lockfile, the build script and the patches. Plain
 * JavaScript: the bin decides with it before any TypeScript loader runs.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The bundle, relative to the workspace root. */
export const BUNDLE = join('dist', 'squadflow.mjs');

/** @param {string} root the workspace root */
export function bundleIsFresh(root) {
  const bundle = join(root, BUNDLE);
  return existsSync(bundle) && statSync(bundle).mtimeMs > newestInput(root);
}

/** @param {string} root */
function newestInput(root) {
  let newest = 0;
  /** @param {string} path */
  const consider = (path) => {
    if (existsSync(path)) newest = Math.max(newest, statSync(path).mtimeMs);
  };
  /** @param {string} dir */
  const walk = (dir) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else consider(path);
    }
  };
  consider(join(root, 'pnpm-lock.yaml'));
  consider(join(root, 'scripts', 'build.ts'));
  walk(join(root, 'patches'));
  for (const pkg of readdirSync(join(root, 'packages'))) {
    consider(join(root, 'packages', pkg, 'package.json'));
    walk(join(root, 'packages', pkg, 'src'));
  }
  return newest;
}
