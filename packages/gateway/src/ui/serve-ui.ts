/**
 * The operator's web UI (packages/gateway/ui, docs/ui.md): the gateway serves
 * its built bundle at `/ui/` and redirects `/` there. Paths under `/ui/` that
 * are not files fall back to `index.html` (the app routes in the browser).
 * The pages are public like any static file: every API call they make carries
 * the operator's bearer token and is checked by the API routes.
 */
import { stat } from 'node:fs/promises';
import { isAbsolute, join, normalize, sep } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { uiDirectory } from './ui-directory.ts';

/** Vite names built assets by content hash (`assets/index-B2x9.js`): they never change under a name. */
const HASHED_ASSETS = 'assets/';
const ONE_YEAR_S = 365 * 24 * 3600;

const MISSING_BUNDLE_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>squadflow UI not built</title></head>
<body style="font-family: system-ui, sans-serif; margin: 3rem; color: #1f2937">
<h1>The squadflow UI is not built</h1>
<p>The gateway serves the bundle from <code>packages/gateway/dist/ui/</code> (or <code>dist/ui/</code> next to a bundled gateway), which is missing.</p>
<p>Build it with <code>pnpm build</code> (a <code>pnpm install</code> builds it too), then reload this page. The HTTP API works without it.</p>
</body></html>
`;

/** Whether `file` is a regular file (a missing or unreadable one is not). */
async function isFile(file: string): Promise<boolean> {
  return stat(file).then(
    (s) => s.isFile(),
    () => false,
  );
}

/** The file under `root` that `relative` names, or null when it leaves `root` (`..`, an absolute path). */
function inside(root: string, relative: string): string | null {
  const path = normalize(relative);
  if (isAbsolute(path) || path === '..' || path.startsWith(`..${sep}`)) return null;
  return join(root, path);
}

/** Registers `/`, `/ui` and `/ui/*`. `root`: the bundle's directory (default: see `uiDirectory`). */
export function registerUi(app: FastifyInstance, root: string = uiDirectory()): void {
  // serve: false: this module owns the routes (for the SPA fallback and the 503); the plugin gives reply.sendFile.
  void app.register(fastifyStatic, { root, serve: false, index: false });

  const sendIndex = async (reply: FastifyReply) => {
    if (!(await isFile(join(root, 'index.html')))) {
      return reply.code(503).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(MISSING_BUNDLE_PAGE);
    }
    // The page names the current hashed assets: a browser must revalidate it after each build.
    return reply.header('cache-control', 'no-cache').sendFile('index.html', root, { cacheControl: false });
  };

  app.get('/', (_request, reply) => reply.redirect('/ui/'));
  app.get('/ui', (_request, reply) => reply.redirect('/ui/'));
  app.get<{ Params: { '*': string } }>('/ui/*', async (request, reply) => {
    const relative = request.params['*'];
    const file = relative ? inside(root, relative) : null;
    if (file && relative !== 'index.html' && (await isFile(file))) {
      return relative.startsWith(HASHED_ASSETS)
        ? reply.sendFile(relative, root, { maxAge: ONE_YEAR_S * 1000, immutable: true })
        : reply.sendFile(relative, root, { maxAge: 0 });
    }
    return sendIndex(reply);
  });
}
