import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

export interface StubAnswer {
  status: number;
  body?: unknown;
  /** Never answer (to test aborts); the socket closes with the server. */
  hang?: boolean;
}

/**
 * A local stand-in for the Graph API on 127.0.0.1 (random port). It records
 * every request and answers with the queued answers in order, then like Meta
 * does for an accepted message.
 */
export class GraphApiStub {
  readonly requests: RecordedRequest[] = [];
  private readonly answers: StubAnswer[] = [];
  private server: Server | undefined;
  private count = 0;

  /** Base URL to configure as `WHATSAPP_API_BASE_URL` (version included, like the default). */
  baseUrl = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      let raw = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (raw += chunk));
      req.on('end', () => {
        let body: unknown = raw;
        try {
          body = JSON.parse(raw);
        } catch {
          // keep the raw text: the test will show it
        }
        this.requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
        const answer = this.answers.shift() ?? { status: 200, body: this.accepted(body) };
        if (answer.hang) return;
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(answer.body ?? {}));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v21.0`;
    return this;
  }

  /** The next request gets this answer (queued in order). */
  answer(answer: StubAnswer): void {
    this.answers.push(answer);
  }

  /** Meta's answer to an accepted message. */
  private accepted(body: unknown): unknown {
    const to = (body as { to?: string } | null)?.to ?? '';
    return { messaging_product: 'whatsapp', contacts: [{ input: to, wa_id: to }], messages: [{ id: `wamid.X${++this.count}` }] };
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** Meta's error envelope. */
export function metaError(message: string, code: number): unknown {
  return { error: { message, type: 'OAuthException', code, fbtrace_id: 'AbC123' } };
}
