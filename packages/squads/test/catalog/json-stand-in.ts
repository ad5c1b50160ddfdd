import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a stand-in answers; `hang` never answers (to test aborts), the socket closes with the server. */
export interface JsonAnswer {
  status: number;
  body?: unknown;
  hang?: boolean;
}

export interface JsonStandIn {
  /** `http://127.0.0.1:<port>` */
  url: string;
  stop(): Promise<void>;
}

/**
 * A local HTTP server on 127.0.0.1 (random port) for the stand-ins of outside
 * APIs: hands each request's path, headers and raw body to `handle` and
 * writes its JSON answer.
 */
export async function startJsonStandIn(
  handle: (request: { method: string; path: string; headers: IncomingHttpHeaders; raw: string }) => JsonAnswer,
): Promise<JsonStandIn> {
  const server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (raw += chunk));
    req.on('end', () => {
      const answer = handle({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, raw });
      if (answer.hang) return;
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer.body ?? {}));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
