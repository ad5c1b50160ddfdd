/**
 * `pnpm build`: bundles the deployable processes into `dist/` as plain
 * JavaScript (one file each, dependencies included), which is all the Docker
 * image runs (no node_modules, no TypeScript loader):
 *
 * - `dist/orchestrator.mjs`, `dist/gateway.mjs`: the two services;
 * - `dist/squadflow.mjs`: the command line (`node dist/squadflow.mjs squad <name>` runs a squad);
 * - `dist/healthcheck.mjs`: the containers' health check (Node builtins only);
 * - `dist/data/`: the seed squads' data files, which the bundles read from there;
 * - `dist/ui/`: the operator UI (packages/gateway/ui, built by Vite into packages/gateway/dist/ui/ and
 *   copied here), which a bundled gateway serves at `/ui/`.
 *
 * Development and tests run the TypeScript sources through tsx; a bundle
 * skips it at run time: the orchestrator starts with about half the memory
 * (~60 MB instead of ~117 MB idle) and no transform on start. The
 * benchmarks run these bundles.
 */
import { build } from 'esbuild';
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildUi, UI_OUT_DIR } from '@squadflow/gateway/ui-build';

const root = fileURLToPath(new URL('..', import.meta.url));
export const BUNDLES = {
  orchestrator: 'packages/engine/src/bin/orchestrator.ts',
  gateway: 'packages/gateway/src/bin/gateway.ts',
  squadflow: 'packages/cli/src/main.ts',
  healthcheck: 'packages/transport/src/bin/healthcheck.ts',
};
/** The seed squads' data (packages/squads/src/catalog/common/data-file.ts), copied next to the bundles. */
const DATA = { from: 'packages/squads/data', to: 'data' };
/** Next to the bundles: packages/gateway/src/ui/ui-directory.ts reads `./ui/` from a bundle's URL. */
const UI = 'ui';

/**
 * `outdir`: `dist` by default; a test builds elsewhere so that parallel test files do not overwrite each other's bundles.
 * `ui: false` skips the UI (Vite takes a while on two cores; the bundle tests do not serve it).
 */
export async function buildBundles(options: { outdir?: string; ui?: boolean } = {}) {
  const outdir = options.outdir ?? 'dist';
  await build({
    absWorkingDir: root,
    entryPoints: BUNDLES,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outdir,
    outExtension: { '.js': '.mjs' },
    sourcemap: true,
    // Relative to the bundle's own URL (dist/), where DATA lands.
    define: { __SQUADFLOW_BUNDLED_DATA_DIR__: JSON.stringify('./data/'), __SQUADFLOW_BUNDLED_UI_DIR__: JSON.stringify(`./${UI}/`) },
    // Bundled CommonJS dependencies call require(): give ESM output one.
    banner: {
      js: "import { createRequire as __sqfCreateRequire } from 'node:module'; const require = __sqfCreateRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
  const data = resolve(root, outdir, DATA.to);
  await rm(data, { recursive: true, force: true });
  await cp(join(root, DATA.from), data, { recursive: true });
  await plainNodeHashbang(resolve(root, outdir, 'squadflow.mjs'));
  if (options.ui !== false) {
    await buildUi({ ifStale: true });
    const ui = resolve(root, outdir, UI);
    await rm(ui, { recursive: true, force: true });
    await cp(UI_OUT_DIR, ui, { recursive: true });
  }
}

/** esbuild keeps the entry's `#!/usr/bin/env -S node --import tsx`; the bundle needs no loader. */
async function plainNodeHashbang(file: string) {
  const text = await readFile(file, 'utf8');
  if (text.startsWith('#!')) await writeFile(file, `#!/usr/bin/env node${text.slice(text.indexOf('\n'))}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildBundles();
  process.stdout.write(
    `built ${Object.keys(BUNDLES)
      .map((n) => `dist/${n}.mjs`)
      .join(', ')}, dist/${DATA.to}/ and dist/${UI}/\n`,
  );
}
