/** Vite configuration of the operator UI: served by the gateway under /ui/, built into packages/gateway/dist/ui/. */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/ui/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/ui/', import.meta.url)),
    emptyOutDir: true,
    // elkjs alone is ~1.4 MB minified: one lazy chunk, loaded with the first graph.
    chunkSizeWarningLimit: 2_000,
  },
  // `pnpm --filter @squadflow/gateway exec vite --config ui/vite.config.ts`: the dev server proxies the API to a running squadflow.
  server: { proxy: { '/v1': process.env.SQUADFLOW_URL ?? 'http://127.0.0.1:8080' } },
});
