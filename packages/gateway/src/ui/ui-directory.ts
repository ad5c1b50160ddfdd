/** Where the built UI bundle lives, from the sources, from a bundled gateway, or where the operator says. */
import { fileURLToPath } from 'node:url';

/** scripts/build.ts defines it as `./ui/`: the bundle is copied next to dist/gateway.mjs and dist/squadflow.mjs. */
declare const __SQUADFLOW_BUNDLED_UI_DIR__: string | undefined;

/**
 * The UI bundle's directory: `SQUADFLOW_UI_DIR` when set, else `dist/ui/`
 * next to a bundled process, else `packages/gateway/dist/ui/` (what
 * `pnpm install` and `pnpm build` write; packages/gateway/ui/build.ts).
 */
export function uiDirectory(env: Record<string, string | undefined> = process.env): string {
  if (env.SQUADFLOW_UI_DIR) return env.SQUADFLOW_UI_DIR;
  const relative = typeof __SQUADFLOW_BUNDLED_UI_DIR__ === 'string' ? __SQUADFLOW_BUNDLED_UI_DIR__ : '../../dist/ui/';
  return fileURLToPath(new URL(relative, import.meta.url));
}
