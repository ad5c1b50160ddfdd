/**
 * Builds the operator UI (this folder: Vite + React) into
 * `packages/gateway/dist/ui/`, which the gateway serves at `/ui/`.
 *
 * Run by `pnpm build` (scripts/build.ts), by the root `postinstall` (so that
 * `pnpm install && pnpm squadflow start` serves the UI) and by the browser
 * tests' global setup. `--if-stale` skips the build while the bundle is newer
 * than every source here and the lockfile.
 */
import { readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = fileURLToPath(new URL('.', import.meta.url));
/** Where the bundle goes; ui-directory.ts in the gateway's sources reads it from there. */
export const UI_OUT_DIR = fileURLToPath(new URL('../dist/ui/', import.meta.url));
const LOCKFILE = fileURLToPath(new URL('../../../pnpm-lock.yaml', import.meta.url));

async function newestSource(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    const time = entry.isDirectory() ? await newestSource(path) : (await stat(path)).mtimeMs;
    newest = Math.max(newest, time);
  }
  return newest;
}

/** Whether the built bundle is newer than every UI source and the lockfile. */
export async function uiBundleIsFresh(): Promise<boolean> {
  const built = await stat(join(UI_OUT_DIR, 'index.html')).then(
    (s) => s.mtimeMs,
    () => 0,
  );
  if (built === 0) return false;
  const lock = await stat(LOCKFILE).then(
    (s) => s.mtimeMs,
    () => 0,
  );
  return built >= Math.max(await newestSource(HERE), lock);
}

/**
 * Builds the bundle (unless `ifStale` and it is fresh); resolves with whether it built.
 * Vite writes into a directory of its own, which then replaces the served one: a gateway
 * never serves a half-written bundle, and two builds at once (parallel test files) do not
 * write into each other's output.
 */
export async function buildUi(options: { ifStale?: boolean } = {}): Promise<boolean> {
  if (options.ifStale && (await uiBundleIsFresh())) return false;
  // Loaded only to build: the freshness check stays cheap for callers that import this module.
  const { build } = await import('vite');
  const staging = `${UI_OUT_DIR.replace(/\/$/, '')}.building-${process.pid}-${Date.now()}`;
  try {
    await build({ configFile: join(HERE, 'vite.config.ts'), logLevel: 'warn', build: { outDir: staging, emptyOutDir: true } });
    await rm(UI_OUT_DIR, { recursive: true, force: true });
    await rename(staging, UI_OUT_DIR);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return true;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const built = await buildUi({ ifStale: process.argv.includes('--if-stale') });
  process.stdout.write(built ? `built the UI into ${UI_OUT_DIR}\n` : `the UI in ${UI_OUT_DIR} is up to date\n`);
}
